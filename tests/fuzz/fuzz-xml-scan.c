/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* libFuzzer target for ews_xml_scan(), the reader in front of libxml2: whatever it
 * reads, libxml2's walk must read too, into the same elements, attributes and text,
 * and a walk that gives up must stop both at the same element. A first byte below 8
 * says at which element the walk gives up, and the rest is the document; otherwise
 * all of it is the document, walked to its end. */

#include "config.h"

#include <stdint.h>

#include "stream-test-util.h"
#include "xml-scan-compare.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  stream_silence_libxml2 ();
  if (size > 0 && data[0] < 8)
    xml_scan_compare ((const char *)data + 1, size - 1, data[0]);
  else
    xml_scan_compare ((const char *)data, size, 0);
  return 0;
}
