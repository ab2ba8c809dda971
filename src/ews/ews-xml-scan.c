/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* A reader of the plain XML that EWS servers write, in front of libxml2's.
 *
 * Stream envelopes and SyncFolderItems pages come by the thousand, and libxml2 spends
 * some fifty instructions on each of their bytes. Servers write them in a small part
 * of XML: an XML declaration in UTF-8, elements with prefixed names, attributes
 * without references, text with the five predefined entities. This reads exactly that
 * part, checks that it is well-formed as libxml2 would, and calls the walk's callbacks
 * with what libxml2's SAX2 parser would give them: the element's namespace URI and
 * local name, its attributes as libxml2 lays them out, and its text (in other pieces,
 * which the walks join).
 *
 * Anything else (a document type, a comment, a processing instruction, CDATA, a name
 * outside ASCII, a reference in an attribute, a namespace error, any error at all) is
 * refused, and libxml2 reads the document instead: see ews_xml_sax_parse(). So this
 * never accepts a document that libxml2 refuses; tests/stream/test-xml-scan.c and
 * the fuzz-xml-scan target compare the two readers. */

#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ews-xml-private.h"

/* libxml2's own limit on nesting without XML_PARSE_HUGE. */
#define SCAN_MAX_DEPTH      256
#define SCAN_MAX_ATTRIBUTES 32
#define SCAN_MAX_NAME       255
#define SCAN_MAX_BINDINGS   64

#define XML_NAMESPACE   "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NAMESPACE "http://www.w3.org/2000/xmlns/"

enum
{
  NAME_START = 1 << 0, /* ASCII letters and '_' */
  NAME_CHAR = 1 << 1,  /* those, digits, '.' and '-' */
  SPACE = 1 << 2,      /* XML's S */
  TEXT_STOP = 1 << 3,  /* what ends a plain run of text */
  VALUE_STOP = 1 << 4, /* what ends a plain run of an attribute value */
};

static guint8 classes[256];

static void
init_classes (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  for (guint c = 0; c < 256; c++)
    {
      guint8 class = 0;

      if (g_ascii_isalpha (c) || c == '_')
        class |= NAME_START | NAME_CHAR;
      if (g_ascii_isdigit (c) || c == '.' || c == '-')
        class |= NAME_CHAR;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        class |= SPACE;
      if (c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == ']')
        class |= TEXT_STOP;
      if (c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == '"' || c == '\'')
        class |= VALUE_STOP;
      classes[c] = class;
    }
  g_once_init_leave (&done, 1);
}

typedef struct
{
  const char *prefix; /* in the document; "" for the default namespace */
  gsize       prefix_length;
  const char *uri; /* NULL: the default namespace undeclared; interned or owned */
} Binding;

typedef struct
{
  const char *qname; /* in the document, for its end tag */
  gsize       qname_length;
  guint       n_bindings; /* before the element's own */
} Open;

typedef struct
{
  const char *qname;
  gsize       length;
  gsize       colon; /* 0: no prefix */
  const char *value;
  const char *value_end;
} RawAttribute;

typedef struct
{
  const char *p;
  const char *end;
  EwsXmlSax  *sax;
  gboolean    called;
  Binding     bindings[SCAN_MAX_BINDINGS];
  guint       n_bindings;
  Open        open[SCAN_MAX_DEPTH];
  guint       depth;
  /* The element's local name, then its attributes', each NUL-terminated. */
  char        names[SCAN_MAX_ATTRIBUTES + 1][SCAN_MAX_NAME + 1];
} Scan;

static inline gboolean
has_class (char c,
           guint class)
{
  return (classes[(guchar)c] & class) != 0;
}

/* The first byte from @p on that is a control character, above ASCII, or one of
 * the (up to three) @stops; @end if none. Attribute values and text are long runs
 * of plain bytes: with SSE2, sixteen are looked at a step. */
static inline const char *
find_stop (const char *p,
           const char *end,
           guint class,
           char stop1,
           char stop2,
           char stop3)
{
#ifdef __SSE2__
  const __m128i below = _mm_set1_epi8 (0x20); /* signed: also every byte above ASCII */
  const __m128i one = _mm_set1_epi8 (stop1);
  const __m128i two = _mm_set1_epi8 (stop2);
  const __m128i three = _mm_set1_epi8 (stop3);

  for (; end - p >= 16; p += 16)
    {
      __m128i bytes = _mm_loadu_si128 ((const __m128i *)(const void *)p);
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmplt_epi8 (bytes, below), _mm_cmpeq_epi8 (bytes, one)),
                                  _mm_or_si128 (_mm_cmpeq_epi8 (bytes, two), _mm_cmpeq_epi8 (bytes, three)));
      int     mask = _mm_movemask_epi8 (hit);

      if (mask != 0)
        return p + __builtin_ctz ((unsigned)mask);
    }
#endif
  while (p < end && !has_class (*p, class))
    p++;
  return p;
}

static gboolean
skip_space (Scan *s)
{
  const char *begin = s->p;
  const char *p = begin;

  while (p < s->end && has_class (*p, SPACE))
    p++;
  s->p = p;
  return p != begin;
}

static gboolean
skip_literal (Scan       *s,
              const char *literal)
{
  gsize length = strlen (literal);

  if ((gsize)(s->end - s->p) < length || memcmp (s->p, literal, length) != 0)
    return FALSE;
  s->p += length;
  return TRUE;
}

/* The length of the UTF-8 character at @p if it is one of XML's characters, else 0. */
static gsize
xml_char_length (const char *p,
                 const char *end)
{
  const guchar *u = (const guchar *)p;
  gunichar      c;
  gsize         n;

  if (u[0] < 0xC2)
    return 0; /* a continuation byte, or the start of an overlong form */
  if (u[0] < 0xE0)
    n = 2, c = u[0] & 0x1F;
  else if (u[0] < 0xF0)
    n = 3, c = u[0] & 0x0F;
  else if (u[0] < 0xF5)
    n = 4, c = u[0] & 0x07;
  else
    return 0;
  if ((gsize)(end - p) < n)
    return 0;
  for (gsize i = 1; i < n; i++)
    {
      if ((u[i] & 0xC0) != 0x80)
        return 0;
      c = (c << 6) | (u[i] & 0x3F);
    }
  if (n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF))
    return 0;
  if (n == 4 && (c < 0x10000 || c > 0x10FFFF))
    return 0;
  return n;
}

/* A name as XML Namespaces allows it, in ASCII: an NCName, or two joined by a colon. */
static gboolean
scan_qname (Scan        *s,
            const char **qname,
            gsize       *length,
            gsize       *colon)
{
  const char *begin = s->p;

  *colon = 0;
  if (s->p >= s->end || !has_class (*s->p, NAME_START))
    return FALSE;
  /* Through a local pointer: a char read may alias @s, so s->p would be stored and
   * loaded again for every byte. The same goes for the other loops over bytes. */
  for (const char *p = s->p + 1, *end = s->end;; p++)
    {
      while (p < end && has_class (*p, NAME_CHAR))
        p++;
      if (p < end && *p == ':' && *colon == 0 && end - p > 1 && has_class (p[1], NAME_START))
        {
          *colon = (gsize)(p - begin);
          p++;
          continue;
        }
      s->p = p;
      break;
    }
  *qname = begin;
  *length = (gsize)(s->p - begin);
  return *length <= SCAN_MAX_NAME;
}

/* A quoted attribute value with nothing libxml2 would rewrite: no reference, no
 * whitespace but spaces (it would turn them into spaces). */
static gboolean
scan_value (Scan        *s,
            const char **value,
            const char **value_end)
{
  char quote;

  if (s->p >= s->end || (*s->p != '"' && *s->p != '\''))
    return FALSE;
  quote = *s->p++;
  *value = s->p;
  for (const char *p = s->p, *end = s->end;;)
    {
      p = find_stop (p, end, VALUE_STOP, '<', '&', quote);
      if (p >= end)
        return FALSE;
      if (*p == quote)
        {
          *value_end = p;
          s->p = p + 1;
          return TRUE;
        }
      if (*p == '"' || *p == '\'')
        p++;
      else if ((guchar)*p >= 0x80)
        {
          gsize n = xml_char_length (p, end);

          if (n == 0)
            return FALSE;
          p += n;
        }
      else
        return FALSE;
    }
}

/* `S? = S?` and a value. */
static gboolean
scan_equals_value (Scan        *s,
                   const char **value,
                   const char **value_end)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != '=')
    return FALSE;
  s->p++;
  skip_space (s);
  return scan_value (s, value, value_end);
}

static gboolean
value_is (const char *value,
          const char *value_end,
          const char *want)
{
  return (gsize)(value_end - value) == strlen (want) && g_ascii_strncasecmp (value, want, strlen (want)) == 0;
}

/* `<?xml version="1.0" encoding="utf-8" standalone="yes"?>`, the last two optional. */
static gboolean
scan_declaration (Scan *s)
{
  const char *value, *value_end;
  gboolean    spaced;

  s->p += strlen ("<?xml");
  if (!skip_space (s) || !skip_literal (s, "version") || !scan_equals_value (s, &value, &value_end) || (gsize)(value_end - value) != 3 || memcmp (value, "1.0", 3) != 0)
    return FALSE;
  spaced = skip_space (s);
  if (spaced && skip_literal (s, "encoding"))
    {
      if (!scan_equals_value (s, &value, &value_end) || !value_is (value, value_end, "utf-8"))
        return FALSE;
      spaced = skip_space (s);
    }
  if (spaced && skip_literal (s, "standalone"))
    {
      gsize length;

      if (!scan_equals_value (s, &value, &value_end))
        return FALSE;
      length = (gsize)(value_end - value);
      if (!((length == 3 && memcmp (value, "yes", 3) == 0) || (length == 2 && memcmp (value, "no", 2) == 0)))
        return FALSE;
      skip_space (s);
    }
  return skip_literal (s, "?>");
}

static const char *
lookup_namespace (Scan       *s,
                  const char *prefix,
                  gsize       prefix_length,
                  gboolean   *bound)
{
  for (guint i = s->n_bindings; i > 0; i--)
    {
      const Binding *binding = &s->bindings[i - 1];

      if (binding->prefix_length == prefix_length && memcmp (binding->prefix, prefix, prefix_length) == 0)
        {
          *bound = TRUE;
          return binding->uri;
        }
    }
  *bound = FALSE;
  return NULL;
}

static void
pop_bindings (Scan *s,
              guint n_bindings)
{
  while (s->n_bindings > n_bindings)
    {
      const char *uri = s->bindings[--s->n_bindings].uri;

      if (!ews_xml_ns_is_interned (uri))
        g_free ((char *)uri);
    }
}

/* An xmlns or xmlns:prefix attribute of the element whose bindings begin at @first. */
static gboolean
declare (Scan       *s,
         guint       first,
         const char *prefix,
         gsize       prefix_length,
         const char *value,
         const char *value_end)
{
  gsize    length = (gsize)(value_end - value);
  Binding *binding;

  if (s->n_bindings == SCAN_MAX_BINDINGS)
    return FALSE;
  /* No second declaration of a prefix on one element, no empty namespace name for a
   * prefix, nothing about xml and xmlns. */
  for (guint i = first; i < s->n_bindings; i++)
    {
      if (s->bindings[i].prefix_length == prefix_length && memcmp (s->bindings[i].prefix, prefix, prefix_length) == 0)
        return FALSE;
    }
  if ((prefix_length > 0 && length == 0) || (prefix_length == 3 && g_ascii_strncasecmp (prefix, "xml", 3) == 0) || (prefix_length == 5 && g_ascii_strncasecmp (prefix, "xmlns", 5) == 0) || (length == strlen (XML_NAMESPACE) && memcmp (value, XML_NAMESPACE, length) == 0) || (length == strlen (XMLNS_NAMESPACE) && memcmp (value, XMLNS_NAMESPACE, length) == 0))
    return FALSE;
  binding = &s->bindings[s->n_bindings++];
  binding->prefix = prefix;
  binding->prefix_length = prefix_length;
  binding->uri = length == 0 ? NULL : ews_xml_ns_intern (value, length);
  if (length > 0 && binding->uri == NULL)
    binding->uri = g_strndup (value, length);
  return TRUE;
}

static gboolean
is_xmlns (const char *qname,
          gsize       length,
          gsize       colon)
{
  gsize prefix_length = colon > 0 ? colon : length;

  return prefix_length == 5 && memcmp (qname, "xmlns", 5) == 0;
}

static void
copy_name (char       *to,
           const char *from,
           gsize       length)
{
  memcpy (to, from, length);
  to[length] = '\0';
}

static gboolean
called_back (Scan *s)
{
  s->called = TRUE;
  return !s->sax->given_up;
}

/* After its `<`. */
static gboolean
scan_start_tag (Scan *s)
{
  RawAttribute   raw[SCAN_MAX_ATTRIBUTES];
  const xmlChar *attributes[SCAN_MAX_ATTRIBUTES * 5];
  const char    *qname;
  const char    *uri;
  gsize          length, colon;
  guint          n_raw = 0;
  guint          first_binding = s->n_bindings;
  gboolean       empty, bound;
  Open          *open;

  if (s->depth == SCAN_MAX_DEPTH || !scan_qname (s, &qname, &length, &colon))
    return FALSE;
  for (;;)
    {
      gboolean     spaced = skip_space (s);
      RawAttribute attribute;

      if (s->p >= s->end)
        return FALSE;
      if (*s->p == '>' || (*s->p == '/' && s->end - s->p > 1 && s->p[1] == '>'))
        {
          empty = *s->p == '/';
          s->p += empty ? 2 : 1;
          break;
        }
      if (!spaced || !scan_qname (s, &attribute.qname, &attribute.length, &attribute.colon) || !scan_equals_value (s, &attribute.value, &attribute.value_end))
        return FALSE;
      if (is_xmlns (attribute.qname, attribute.length, attribute.colon))
        {
          gsize prefix_offset = attribute.colon > 0 ? attribute.colon + 1 : attribute.length;

          if (!declare (s, first_binding, attribute.qname + prefix_offset, attribute.length - prefix_offset,
                        attribute.value, attribute.value_end))
            return FALSE;
          continue;
        }
      if (n_raw == SCAN_MAX_ATTRIBUTES)
        return FALSE;
      raw[n_raw++] = attribute;
    }

  /* The element's name, then its attributes', resolved with the declarations it makes. */
  uri = lookup_namespace (s, qname, colon, &bound);
  if (colon > 0 && !bound)
    return FALSE;
  copy_name (s->names[0], qname + (colon > 0 ? colon + 1 : 0), length - (colon > 0 ? colon + 1 : 0));
  for (guint i = 0; i < n_raw; i++)
    {
      const char *attribute_uri = NULL;
      gsize       offset = raw[i].colon > 0 ? raw[i].colon + 1 : 0;

      if (raw[i].colon > 0)
        {
          /* xml:lang, as SOAP faults have it, is bound without a declaration. */
          if (raw[i].colon == 3 && memcmp (raw[i].qname, "xml", 3) == 0)
            attribute_uri = XML_NAMESPACE, bound = TRUE;
          else
            attribute_uri = lookup_namespace (s, raw[i].qname, raw[i].colon, &bound);
          if (!bound || attribute_uri == NULL)
            return FALSE;
        }
      copy_name (s->names[i + 1], raw[i].qname + offset, raw[i].length - offset);
      /* Each attribute once, by its name as written and by its expanded name. */
      for (guint j = 0; j < i; j++)
        {
          if ((raw[j].length == raw[i].length && memcmp (raw[j].qname, raw[i].qname, raw[i].length) == 0) || (strcmp (s->names[j + 1], s->names[i + 1]) == 0 && g_strcmp0 ((const char *)attributes[j * 5 + 2], attribute_uri) == 0))
            return FALSE;
        }
      attributes[i * 5 + 0] = (const xmlChar *)s->names[i + 1];
      attributes[i * 5 + 1] = NULL;
      attributes[i * 5 + 2] = (const xmlChar *)attribute_uri;
      attributes[i * 5 + 3] = (const xmlChar *)raw[i].value;
      attributes[i * 5 + 4] = (const xmlChar *)raw[i].value_end;
    }

  open = &s->open[s->depth++];
  open->qname = qname;
  open->qname_length = length;
  open->n_bindings = first_binding;
  s->sax->funcs->start (s->sax, uri, s->names[0], (int)n_raw, attributes);
  if (!called_back (s))
    return TRUE;
  if (empty)
    {
      s->depth--;
      pop_bindings (s, first_binding);
      s->sax->funcs->end (s->sax);
      called_back (s);
    }
  return TRUE;
}

/* After its `</`. */
static gboolean
scan_end_tag (Scan *s)
{
  Open *open;

  /* The name of the element it ends, and no longer name. */
  if (s->depth == 0)
    return FALSE;
  open = &s->open[s->depth - 1];
  if ((gsize)(s->end - s->p) <= open->qname_length || memcmp (s->p, open->qname, open->qname_length) != 0)
    return FALSE;
  s->p += open->qname_length;
  if (has_class (*s->p, NAME_CHAR) || *s->p == ':')
    return FALSE;
  skip_space (s);
  if (s->p >= s->end || *s->p != '>')
    return FALSE;
  s->p++;
  s->depth--;
  pop_bindings (s, open->n_bindings);
  s->sax->funcs->end (s->sax);
  called_back (s);
  return TRUE;
}

static gboolean
text (Scan       *s,
      const char *text,
      gsize       length)
{
  if (length == 0)
    return TRUE;
  s->sax->funcs->text (s->sax, text, length);
  return called_back (s);
}

/* After its `&`: one of the predefined entities, or a character. */
static gboolean
scan_reference (Scan *s)
{
  static const struct
  {
    const char *name;
    const char *value;
  } predefined[] = {
    { "amp;", "&" },
    { "lt;", "<" },
    { "gt;", ">" },
    { "quot;", "\"" },
    { "apos;", "'" },
  };
  char     utf8[6];
  gunichar c = 0;
  gboolean hex;
  guint    digits = 0;

  for (guint i = 0; i < G_N_ELEMENTS (predefined); i++)
    {
      if (skip_literal (s, predefined[i].name))
        {
          text (s, predefined[i].value, 1);
          return TRUE;
        }
    }
  if (!skip_literal (s, "#"))
    return FALSE;
  hex = skip_literal (s, "x");
  for (; s->p < s->end && *s->p != ';'; s->p++, digits++)
    {
      int digit = hex ? g_ascii_xdigit_value (*s->p) : g_ascii_digit_value (*s->p);

      if (digit < 0)
        return FALSE;
      c = c * (hex ? 16 : 10) + (gunichar)digit;
      if (c > 0x10FFFF)
        return FALSE;
    }
  if (s->p >= s->end || digits == 0)
    return FALSE;
  s->p++;
  if (!(c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000))
    return FALSE;
  text (s, utf8, (gsize)g_unichar_to_utf8 (c, utf8));
  return TRUE;
}

/* Character data up to the next `<`. Returns FALSE on what it refuses; a callback
 * giving up shows in @s->sax. */
static gboolean
scan_text (Scan *s)
{
  const char *run = s->p;
  const char *p = s->p;
  const char *end = s->end;

  for (;;)
    {
      char c;

      p = find_stop (p, end, TEXT_STOP, '<', '&', ']');
      if (p >= end || *p == '<')
        break;
      c = *p;
      if ((guchar)c >= 0x80)
        {
          gsize n = xml_char_length (p, end);

          if (n == 0)
            return FALSE;
          p += n;
          continue;
        }
      if (c == ']')
        {
          if (end - p >= 3 && memcmp (p, "]]>", 3) == 0)
            return FALSE;
          p++;
          continue;
        }
      if (c == '\t' || c == '\n')
        {
          p++;
          continue;
        }
      s->p = p;
      if (!text (s, run, (gsize)(p - run)))
        return TRUE;
      if (c == '&')
        {
          s->p++;
          if (!scan_reference (s))
            return FALSE;
        }
      else if (c == '\r')
        {
          /* A line ends in a line feed alone, as XML reads it. */
          s->p++;
          if (s->p < end && *s->p == '\n')
            s->p++;
          text (s, "\n", 1);
        }
      else
        return FALSE; /* a control character */
      if (s->sax->given_up)
        return TRUE;
      run = p = s->p;
    }
  s->p = p;
  text (s, run, (gsize)(p - run));
  return TRUE;
}

static gboolean
scan_document (Scan *s)
{
  gboolean root_done = FALSE;

  if (s->end - s->p > 5 && memcmp (s->p, "<?xml", 5) == 0 && has_class (s->p[5], SPACE) && !scan_declaration (s))
    return FALSE;
  skip_space (s);
  while (s->p < s->end && !s->sax->given_up)
    {
      if (s->depth == 0 && root_done)
        {
          skip_space (s);
          return s->p == s->end;
        }
      if (*s->p != '<')
        {
          if (s->depth == 0 || !scan_text (s))
            return FALSE;
          continue;
        }
      s->p++;
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == '/')
        {
          s->p++;
          if (!scan_end_tag (s))
            return FALSE;
        }
      else if (!scan_start_tag (s))
        return FALSE;
      root_done = TRUE;
    }
  return s->sax->given_up || (root_done && s->depth == 0);
}

/**
 * ews_xml_scan:
 * @data: a complete XML document
 * @length: its length in bytes
 * @sax: the walk, whose callbacks it calls
 *
 * Reads @data if it is in the part of XML this reader knows, calling @sax's
 * callbacks as ews_xml_sax_parse() does. It stops when a callback gives up.
 *
 * Returns: %EWS_XML_SCAN_READ when it read the document to its end or a callback
 *   gave up; %EWS_XML_SCAN_REFUSED when it refused the document before calling any
 *   callback; %EWS_XML_SCAN_REFUSED_LATE when it refused it after some
 */
EwsXmlScanResult
ews_xml_scan (const char *data,
              gsize       length,
              EwsXmlSax  *sax)
{
  Scan     s;
  gboolean read;

  init_classes ();
  s.p = data;
  s.end = data + length;
  s.sax = sax;
  s.called = FALSE;
  s.n_bindings = 0;
  s.depth = 0;
  read = scan_document (&s);
  pop_bindings (&s, 0);
  if (read)
    return EWS_XML_SCAN_READ;
  return s.called ? EWS_XML_SCAN_REFUSED_LATE : EWS_XML_SCAN_REFUSED;
}
