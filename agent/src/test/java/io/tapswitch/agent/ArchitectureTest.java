package io.tapswitch.agent;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The agent's shape, checked on its compiled classes: its packages form no cycle, and only the
 * control plane's package holds the switch's mutable objects, so every change enters through one
 * door.
 */
class ArchitectureTest {
    private static final String AGENT = "io.tapswitch.agent";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(AGENT);

    /** Each package of the agent, its root package included, is one slice. */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String pkg = c.getPackageName();
            if (pkg.equals(AGENT)) {
                return SliceIdentifier.of("(root)");
            }
            if (pkg.startsWith(AGENT + ".")) {
                return SliceIdentifier.of(pkg.substring(AGENT.length() + 1).split("\\.")[0]);
            }
            return SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "packages of " + AGENT;
        }
    };

    @Test
    void packagesFormNoCycle() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void onlyTheControlPlaneHoldsTheSwitch() {
        noClasses().that().resideOutsideOfPackage(AGENT + ".state")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.tapswitch.core.engine.Switch")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.tapswitch.core.fdb.MacTable")
                .because("every change to the switch goes through the ControlPlane, which validates, persists"
                        + " and numbers it; everyone else reads it through SwitchView")
                .check(CLASSES);
    }
}
