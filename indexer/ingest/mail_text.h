/* mail_text.h - the readable text of one email message (private to
 * ingest_email.c): which MIME parts are its body, and a part's bytes as
 * UTF-8.
 *
 * The body parts are the first text/html and the first text/plain part of
 * the message (multiparts walked depth first, so multipart/alternative,
 * multipart/related and multipart/mixed all count) that are not
 * attachments; a message that is not multipart is its own body part
 * (text/plain when it has no Content-Type).
 *
 * A part's content is transfer-decoded by GMime (base64, quoted-printable,
 * uuencode; 7bit, 8bit and binary as they are) and converted to UTF-8 by
 * ICU, strictly: no replacement character is ever made up. The charset
 * its Content-Type names is tried first; when it is missing, unknown to
 * ICU or lying (its bytes are not valid in it), UTF-8, ISO-2022-JP,
 * EUC-JP and Shift_JIS are tried in that order. ICU's Japanese converters
 * are the Windows supersets mail really uses (NEC and IBM extensions such
 * as ① and ㈱; in Shift_JIS 0x5C is a backslash, not a yen sign). The
 * first conversion that succeeds and leaves no control character but tab,
 * line feed, form feed and carriage return wins. A text/plain part in
 * format=flowed (RFC 3676) is unflowed: its soft line breaks joined. */
#ifndef KS_MAIL_TEXT_H
#define KS_MAIL_TEXT_H

#include <stddef.h>

#include <gmime/gmime.h>

/* The first text/html part and the first text/plain part of msg that are
 * not attachments, into *html and *text (NULL when there is none);
 * borrowed from msg. Never fails. */
void ks_mail_body_parts(GMimeMessage *msg, GMimePart **html, GMimePart **text);

/* The content of part as UTF-8 text: malloc'd, NUL-terminated, its length
 * in *len. Returns KS_OK; KS_ERR_PARSE with why[0..cap) set to a reason
 * ("its text/html part is base64 with bytes outside the alphabet", "...
 * is not text in charset X, nor in UTF-8, ...") when the content cannot
 * be read; KS_ERR_NOMEM. Nothing is set but on KS_OK. */
int ks_mail_part_utf8(GMimePart *part, char **out, size_t *len, char *why, size_t cap);

#endif
