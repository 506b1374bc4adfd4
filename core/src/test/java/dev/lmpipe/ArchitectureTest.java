package dev.lmpipe;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The boundaries of core that must hold by themselves: no Spark anywhere, kernels free of DL4J. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("dev.lmpipe");

    @Test
    void importsTheMainClassesOfCore() {
        // Guards the rule below against passing vacuously on an empty import.
        assertThat(CORE.contain(dev.lmpipe.data.Shards.class)).isTrue();
        assertThat(CORE.contain(dev.lmpipe.train.CheckpointStore.class)).isTrue();
        assertThat(CORE.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void coreNeverDependsOnSpark() {
        noClasses().that().resideInAPackage("dev.lmpipe..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.deeplearning4j.spark..")
                .because("core must be testable without a SparkContext; Spark code lives in jobs/")
                .check(CORE);
    }

    @Test
    void kernelsDependOnNeitherDl4jNorTheRestOfLmpipe() {
        assertThat(CORE.contain(dev.lmpipe.model.kernel.TransformerBlockKernel.class)).isTrue();
        noClasses().that().resideInAPackage("dev.lmpipe.model.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("org.deeplearning4j..")
                .orShould().dependOnClassesThat(resideInAPackage("dev.lmpipe..")
                        .and(not(resideInAPackage("dev.lmpipe.model.kernel.."))))
                .because("training's runtime layers and generation share the kernels; they depend on neither")
                .check(CORE);
    }
}
