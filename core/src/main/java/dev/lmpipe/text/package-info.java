/**
 * Text: decoding bytes to Unicode code points (with a policy for invalid UTF-8), counting them, and the
 * character {@link dev.lmpipe.text.Vocabulary} that maps code points to token ids and back. Depends only on
 * {@code LmpipeException} and Jackson annotations.
 */
package dev.lmpipe.text;
