/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-simulator"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"

/* NTLM sign-in (MS-NLMP) as IIS does it in front of Exchange with Windows
 * authentication on: a request without credentials gets 401 with
 * "WWW-Authenticate: NTLM"; the client answers on the same connection with a
 * NEGOTIATE message, gets a CHALLENGE in a second 401, and sends the AUTHENTICATE
 * message with its request. From then on the connection is that user's, and later
 * requests on it carry no credentials at all. Only NTLMv2 responses are taken, as
 * with LmCompatibilityLevel 5. Basic stays on beside it (IIS offers both when both
 * are enabled), for clients that send it. */

#define NTLM_SIGNATURE "NTLMSSP"

#define NEGOTIATE_UNICODE            0x00000001u
#define REQUEST_TARGET               0x00000004u
#define NEGOTIATE_NTLM               0x00000200u
#define NEGOTIATE_ALWAYS_SIGN        0x00008000u
#define TARGET_TYPE_DOMAIN           0x00010000u
#define NEGOTIATE_EXTENDED_SESSION   0x00080000u
#define NEGOTIATE_TARGET_INFO        0x00800000u
#define NEGOTIATE_128                0x20000000u
#define NEGOTIATE_56                 0x80000000u
#define NTLMV2_BLOB_MIN              28 /* header, time, client challenge, reserved */
#define CHALLENGE_HEADER_SIZE        48
#define NT_PROOF_SIZE                16
#define SERVER_DOMAIN                "SIMULATOR"
#define SERVER_COMPUTER              "EWS"
#define SERVER_DNS_DOMAIN            "simulator.test"
#define SERVER_DNS_COMPUTER          "ews.simulator.test"
#define WINDOWS_EPOCH_OFFSET_SECONDS G_GINT64_CONSTANT (11644473600)

/* What a connection has got to: attached to its GSocket, so it ends with it. */
typedef struct
{
  guint8   challenge[8];
  gboolean challenged;
  char    *user; /* signed in, or NULL */
} Connection;

static void
connection_free (Connection *connection)
{
  g_free (connection->user);
  g_free (connection);
}

static Connection *
connection_for (SoupServerMessage *msg)
{
  return ews_sim_connection_data (msg, "ews-sim-ntlm-connection", sizeof (Connection), (GDestroyNotify)connection_free);
}

/* MD4 (RFC 1320), which NTLM still hashes passwords with. */
static guint32
rotl (guint32 value,
      guint   bits)
{
  return (value << bits) | (value >> (32 - bits));
}

static void
md4_block (guint32       state[4],
           const guint8 *block)
{
  /* Per round: the order the words are taken in, the shifts, the constant added. */
  static const guint order[3][16] = {
    { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
    { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 },
    { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 },
  };
  static const guint   shifts[3][4] = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 } };
  static const guint32 added[3] = { 0, 0x5A827999u, 0x6ED9EBA1u };
  guint32              x[16];
  guint32              v[4];

  for (guint i = 0; i < 16; i++)
    x[i] = (guint32)block[4 * i] | (guint32)block[4 * i + 1] << 8 | (guint32)block[4 * i + 2] << 16
           | (guint32)block[4 * i + 3] << 24;
  memcpy (v, state, sizeof v);

  /* Each step updates a, d, c, b in turn: the word at (4 - i % 4) % 4. */
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < 16; i++)
      {
        guint32 *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4], c = v[(6 - i % 4) % 4], d = v[(7 - i % 4) % 4];
        guint32  f = round == 0 ? (b & c) | (~b & d) : round == 1 ? (b & c) | (b & d) | (c & d)
                                                                  : b ^ c ^ d;

        *a = rotl (*a + f + x[order[round][i]] + added[round], shifts[round][i % 4]);
      }
  for (guint i = 0; i < 4; i++)
    state[i] += v[i];
}

/**
 * ews_sim_md4:
 * @data: the bytes
 * @length: how many
 * @digest: (out): the 16-byte digest
 */
void
ews_sim_md4 (const guint8 *data,
             gsize         length,
             guint8        digest[16])
{
  guint32 state[4] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u };
  guint8  tail[128] = { 0 };
  gsize   rest = length % 64;
  gsize   tail_size = rest < 56 ? 64 : 128;
  guint64 bits = (guint64)length * 8;

  for (gsize at = 0; at + 64 <= length; at += 64)
    md4_block (state, data + at);
  if (rest > 0)
    memcpy (tail, data + length - rest, rest);
  tail[rest] = 0x80;
  for (guint i = 0; i < 8; i++)
    tail[tail_size - 8 + i] = (guint8)(bits >> (8 * i));
  for (gsize at = 0; at < tail_size; at += 64)
    md4_block (state, tail + at);
  for (guint i = 0; i < 16; i++)
    digest[i] = (guint8)(state[i / 4] >> (8 * (i % 4)));
}

static GByteArray *
utf16le (const char *text)
{
  glong       n = 0;
  gunichar2  *units = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  GByteArray *out = g_byte_array_sized_new ((guint)n * 2);

  for (glong i = 0; units != NULL && i < n; i++)
    {
      guint8 pair[2] = { (guint8)(units[i] & 0xff), (guint8)(units[i] >> 8) };

      g_byte_array_append (out, pair, 2);
    }
  g_free (units);
  return out;
}

static char *
from_utf16le (const guint8 *data,
              gsize         size)
{
  g_autofree gunichar2 *units = g_new (gunichar2, size / 2 + 1);

  for (gsize i = 0; i < size / 2; i++)
    units[i] = (gunichar2)(data[2 * i] | data[2 * i + 1] << 8);
  return g_utf16_to_utf8 (units, (glong)(size / 2), NULL, NULL, NULL);
}

static void
hmac_md5 (const guint8 *key,
          gsize         key_size,
          const guint8 *data,
          gsize         size,
          guint8        out[16])
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_MD5, key, key_size);
  gsize digest_size = 16;

  g_hmac_update (hmac, data, (gssize)size);
  g_hmac_get_digest (hmac, out, &digest_size);
}

/**
 * ews_sim_ntlm_v2_proof:
 * @password: the user's password
 * @user: the user name as the client sent it
 * @domain: the domain as the client sent it
 * @challenge: the server's 8-byte challenge
 * @blob: the client's blob: the NTLMv2 response after its first 16 bytes
 * @blob_size: its size
 * @proof: (out): the 16 bytes the response must start with (NTProofStr)
 *
 * NTOWFv2 = HMAC-MD5 (MD4 (UTF-16LE (password)), UTF-16LE (upper-case (user) + domain));
 * NTProofStr = HMAC-MD5 (NTOWFv2, challenge + blob).
 */
void
ews_sim_ntlm_v2_proof (const char   *password,
                       const char   *user,
                       const char   *domain,
                       const guint8  challenge[8],
                       const guint8 *blob,
                       gsize         blob_size,
                       guint8        proof[16])
{
  g_autoptr (GByteArray) secret = utf16le (password);
  g_autofree char *upper = g_utf8_strup (user, -1);
  g_autofree char *identity = g_strconcat (upper, domain, NULL);
  g_autoptr (GByteArray) identity16 = utf16le (identity);
  g_autoptr (GByteArray) message = g_byte_array_new ();
  guint8 nt_hash[16], owf[16];

  ews_sim_md4 (secret->data, secret->len, nt_hash);
  hmac_md5 (nt_hash, sizeof nt_hash, identity16->data, identity16->len, owf);
  g_byte_array_append (message, challenge, 8);
  g_byte_array_append (message, blob, (guint)blob_size);
  hmac_md5 (owf, sizeof owf, message->data, message->len, proof);
  memset (secret->data, 0, secret->len);
  memset (nt_hash, 0, sizeof nt_hash);
  memset (owf, 0, sizeof owf);
}

static guint32
read_u32 (const guint8 *data)
{
  return (guint32)data[0] | (guint32)data[1] << 8 | (guint32)data[2] << 16 | (guint32)data[3] << 24;
}

static void
append_u16 (GByteArray *out,
            guint       value)
{
  guint8 bytes[2] = { (guint8)(value & 0xff), (guint8)(value >> 8) };

  g_byte_array_append (out, bytes, 2);
}

static void
append_u32 (GByteArray *out,
            guint32     value)
{
  guint8 bytes[4] = { (guint8)value, (guint8)(value >> 8), (guint8)(value >> 16), (guint8)(value >> 24) };

  g_byte_array_append (out, bytes, 4);
}

/* A security buffer (length, allocated length, offset) at @at of @message. */
static gboolean
read_field (const guint8  *message,
            gsize          size,
            gsize          at,
            const guint8 **data,
            gsize         *length)
{
  gsize field_length, offset;

  if (at + 8 > size)
    return FALSE;
  field_length = (gsize)message[at] | (gsize)message[at + 1] << 8;
  offset = read_u32 (message + at + 4);
  if (offset > size || field_length > size - offset)
    return FALSE;
  *data = message + offset;
  *length = field_length;
  return TRUE;
}

static gboolean
has_type (const guint8 *message,
          gsize         size,
          guint32       type)
{
  return size >= 12 && memcmp (message, NTLM_SIGNATURE, 8) == 0 && read_u32 (message + 8) == type;
}

static void
append_av_pair (GByteArray *out,
                guint       id,
                const char *text)
{
  g_autoptr (GByteArray) value = utf16le (text);

  append_u16 (out, id);
  append_u16 (out, value->len);
  g_byte_array_append (out, value->data, value->len);
}

/* The CHALLENGE message (MS-NLMP 2.2.1.2), with target information so that the
 * client answers with NTLMv2. */
static char *
challenge_message (const guint8 challenge[8])
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) target = utf16le (SERVER_DOMAIN);
  g_autoptr (GByteArray) info = g_byte_array_new ();
  gint64 filetime = (g_get_real_time () / G_USEC_PER_SEC + WINDOWS_EPOCH_OFFSET_SECONDS) * 10000000;
  guint8 time_bytes[8];
  guint8 reserved[8] = { 0 };

  append_av_pair (info, 2, SERVER_DOMAIN);
  append_av_pair (info, 1, SERVER_COMPUTER);
  append_av_pair (info, 4, SERVER_DNS_DOMAIN);
  append_av_pair (info, 3, SERVER_DNS_COMPUTER);
  for (guint i = 0; i < 8; i++)
    time_bytes[i] = (guint8)((guint64)filetime >> (8 * i));
  append_u16 (info, 7);
  append_u16 (info, 8);
  g_byte_array_append (info, time_bytes, 8);
  append_u16 (info, 0);
  append_u16 (info, 0);

  g_byte_array_append (out, (const guint8 *)NTLM_SIGNATURE, 8);
  append_u32 (out, 2);
  append_u16 (out, target->len);
  append_u16 (out, target->len);
  append_u32 (out, CHALLENGE_HEADER_SIZE);
  append_u32 (out, NEGOTIATE_UNICODE | REQUEST_TARGET | NEGOTIATE_NTLM | NEGOTIATE_ALWAYS_SIGN | TARGET_TYPE_DOMAIN
                       | NEGOTIATE_EXTENDED_SESSION | NEGOTIATE_TARGET_INFO | NEGOTIATE_128 | NEGOTIATE_56);
  g_byte_array_append (out, challenge, 8);
  g_byte_array_append (out, reserved, 8);
  append_u16 (out, info->len);
  append_u16 (out, info->len);
  append_u32 (out, CHALLENGE_HEADER_SIZE + target->len);
  g_assert (out->len == CHALLENGE_HEADER_SIZE);
  g_byte_array_append (out, target->data, target->len);
  g_byte_array_append (out, info->data, info->len);
  return g_base64_encode (out->data, out->len);
}

/* Checks an AUTHENTICATE message (MS-NLMP 2.2.1.3) against @challenge; returns the
 * user it signs in, or NULL. */
static char *
verify_authenticate (EwsSimulator *self,
                     const guint8 *message,
                     gsize         size,
                     const guint8  challenge[8])
{
  const guint8    *nt, *domain16, *user16;
  gsize            nt_size, domain_size, user_size;
  g_autofree char *domain = NULL;
  g_autofree char *user = NULL;
  g_autofree char *key = NULL;
  const char      *password;
  guint8           proof[NT_PROOF_SIZE];

  if (!has_type (message, size, 3) || !read_field (message, size, 20, &nt, &nt_size)
      || !read_field (message, size, 28, &domain16, &domain_size) || !read_field (message, size, 36, &user16, &user_size))
    return NULL;
  if (nt_size < NT_PROOF_SIZE + NTLMV2_BLOB_MIN)
    {
      g_debug ("NTLM: refusing an NTLMv1 response");
      return NULL;
    }
  domain = from_utf16le (domain16, domain_size);
  user = from_utf16le (user16, user_size);
  if (domain == NULL || user == NULL)
    return NULL;
  key = g_ascii_strdown (user, -1);
  password = g_hash_table_lookup (self->passwords, key);
  if (password == NULL)
    return NULL;
  ews_sim_ntlm_v2_proof (password, user, domain, challenge, nt + NT_PROOF_SIZE, nt_size - NT_PROOF_SIZE, proof);
  if (memcmp (proof, nt, NT_PROOF_SIZE) != 0)
    return NULL;
  return g_steal_pointer (&key);
}

static void
refuse (EwsSimulator      *self,
        SoupServerMessage *msg,
        const char        *token)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char    *ntlm = token != NULL ? g_strconcat ("NTLM ", token, NULL) : g_strdup ("NTLM");

  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  /* Only the first challenge offers the other schemes as well, as IIS does:
   * Negotiate when Kerberos is on, and Basic. */
  if (token == NULL && self->kerberos != NULL)
    soup_message_headers_append (headers, "WWW-Authenticate", "Negotiate");
  soup_message_headers_append (headers, "WWW-Authenticate", ntlm);
  if (token == NULL)
    soup_auth_domain_challenge (self->auth_domain, msg);
}

/**
 * ews_sim_ntlm_challenge:
 * @self: an #EwsSimulator with NTLM on
 * @msg: a request to refuse
 *
 * Answers @msg with 401 and the first challenge: every scheme the server offers.
 */
void
ews_sim_ntlm_challenge (EwsSimulator      *self,
                        SoupServerMessage *msg)
{
  refuse (self, msg, NULL);
}

/**
 * ews_sim_ntlm_authenticate:
 * @self: an #EwsSimulator with NTLM on
 * @msg: a request to /EWS or /autodiscover
 *
 * Returns: (transfer full) (nullable): the lower-case user name the request is
 *   from, or %NULL when @msg has been answered with 401 (a challenge or a refusal)
 */
char *
ews_sim_ntlm_authenticate (EwsSimulator      *self,
                           SoupServerMessage *msg)
{
  const char        *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  Connection        *connection = connection_for (msg);
  g_autofree guint8 *token = NULL;
  gsize              token_size = 0;
  char              *user;

  if (header != NULL && g_ascii_strncasecmp (header, "Basic ", 6) == 0)
    {
      user = soup_auth_domain_accepts (self->auth_domain, msg);
      if (user == NULL)
        refuse (self, msg, NULL);
      return user;
    }

  if (header == NULL || connection == NULL || g_ascii_strncasecmp (header, "NTLM ", 5) != 0)
    {
      /* A signed-in connection needs no credentials any more. */
      if (header == NULL && connection != NULL && connection->user != NULL)
        return g_strdup (connection->user);
      refuse (self, msg, NULL);
      return NULL;
    }

  token = g_base64_decode (header + 5, &token_size);
  if (has_type (token, token_size, 1))
    {
      g_autofree char *reply = NULL;

      for (guint i = 0; i < 8; i += 4)
        {
          guint32 random = g_random_int ();

          memcpy (connection->challenge + i, &random, 4);
        }
      connection->challenged = TRUE;
      g_clear_pointer (&connection->user, g_free);
      reply = challenge_message (connection->challenge);
      refuse (self, msg, reply);
      return NULL;
    }

  user = connection->challenged ? verify_authenticate (self, token, token_size, connection->challenge) : NULL;
  connection->challenged = FALSE;
  if (user == NULL)
    {
      g_debug ("NTLM: sign-in refused");
      g_atomic_int_inc (&self->refused_sign_ins);
      refuse (self, msg, NULL);
      return NULL;
    }
  g_debug ("NTLM: %s signed in", user);
  g_atomic_int_inc (&self->ntlm_sign_ins);
  connection->user = g_strdup (user);
  return user;
}
