package minikv;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages' layers, bottom to top, and the arrows allowed between them: a package uses only
 * the layers below it, and the three roles at the top (the index, the operator tools, the volume
 * launcher) never use each other. What they share lives in {@code cluster}.
 *
 * <pre>
 *   Main, bench, devcluster       entry points
 *   index | tools | volume        roles
 *   ops                           metrics, health, status (used by index; sees store, placement)
 *   cluster                       replica names and files, the volume client, moving and repairing a key,
 *                                 the volume's disk-status format
 *   store | placement | security | cli | http | s3   leaves (http: the one HTTP client, which sends the secret;
 *                                 s3: the S3 protocol's pure parts, signatures and body checks)
 * </pre>
 */
class LayersTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("minikv");
    }

    @Test
    void noPackageCycle() {
        slices().matching("minikv.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyArrowRunsDownTheLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry").definedBy("minikv", "minikv.bench..", "minikv.devcluster..")
                .layer("Index").definedBy("minikv.index..")
                .layer("Tools").definedBy("minikv.tools..")
                .layer("Volume").definedBy("minikv.volume..")
                .layer("Ops").definedBy("minikv.ops..")
                .layer("Cluster").definedBy("minikv.cluster..")
                .layer("Leaves").definedBy("minikv.store..", "minikv.placement..", "minikv.security..", "minikv.cli..", "minikv.s3..",
                        "minikv.http..")
                .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
                .whereLayer("Index").mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Tools").mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Volume").mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Ops").mayOnlyBeAccessedByLayers("Entry", "Index")
                .whereLayer("Cluster").mayOnlyBeAccessedByLayers("Entry", "Index", "Tools", "Volume", "Ops")
                .check(classes);
    }

    @Test
    void theLeavesUseNoOtherMinikvPackage() {
        for (String leaf : new String[] {"store", "placement", "security", "cli", "http", "s3"}) {
            com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideInAPackage("minikv." + leaf + "..")
                    .should().dependOnClassesThat().resideInAnyPackage("minikv", "minikv.bench..", "minikv.devcluster..", "minikv.index..",
                            "minikv.tools..", "minikv.volume..", "minikv.ops..", "minikv.cluster..")
                    .check(classes);
        }
    }

    /**
     * Every request the index, the tools and the volume launcher send goes through {@code
     * minikv.http}: one place for connection reuse, deadlines, abort, the secret and the resend
     * rule. The bench load generator keeps its own client, as a user's would be.
     */
    @Test
    void oneHttpClientMechanism() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideOutsideOfPackages("minikv.http..", "minikv.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("java.net.http..")
                .orShould().dependOnClassesThat().areAssignableTo(java.net.HttpURLConnection.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.net.URLConnection.class)
                .check(classes);
    }
}
