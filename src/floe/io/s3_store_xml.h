#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace floe::s3xml {

// Just enough XML for S3's responses (ListObjectsV2, InitiateMultipartUpload,
// CompleteMultipartUpload, DeleteObjects, Error): elements are found by name, text is
// unescaped. S3 never nests an element inside one of the same name and sends no CDATA, so a
// forward scan suffices; no XML library is installed, and none would pay for these few uses.
// Work is linear in the size of `xml`, which the transport bounds.

// The raw contents (between the tags) of every top-level-or-nested <name>...</name>, in order.
// A self-closing <name/> gives "".
std::vector<std::string_view> Elements(std::string_view xml, std::string_view name);
// The unescaped text of the first <name> element, or "" when there is none.
std::string Text(std::string_view xml, std::string_view name);
// True when an element <name> (or <name/>) occurs.
bool Has(std::string_view xml, std::string_view name);

// Replaces &amp; &lt; &gt; &quot; &apos; and numeric references; unknown entities stay as written.
std::string Unescape(std::string_view text);
// Escapes & < > " ' for element text.
std::string Escape(std::string_view text);

}  // namespace floe::s3xml
