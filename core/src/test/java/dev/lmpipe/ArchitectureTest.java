package dev.lmpipe;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** core never uses Spark (shared/STYLE.md): everything here must be testable without a SparkContext. */
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
}
