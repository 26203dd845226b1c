#!/usr/bin/env bash
# Generates the package's man pages and bash completion from the picocli command line itself, so
# they always match the options the agent accepts.
#   $1  class path holding io.tapswitch.agent.cli.Main, picocli and picocli-codegen
#   $2  output directory: man/*.1.gz and completion/tapswitch are written there
set -euo pipefail
cp="$1"
out="$2"
rm -rf "$out"
mkdir -p "$out/adoc" "$out/man" "$out/completion"

# One AsciiDoc page per command and subcommand (tapswitch.adoc, tapswitch-run.adoc, ...).
java -cp "$cp" picocli.codegen.docgen.manpage.ManPageGenerator -d "$out/adoc" io.tapswitch.agent.cli.Main
for page in "$out"/adoc/*.adoc; do
  asciidoctor -b manpage -a reproducible -D "$out/man" "$page"
done
# Debian ships man pages compressed; -n keeps the timestamp out, so builds are reproducible.
gzip -9n "$out"/man/*.1

java -cp "$cp" picocli.AutoComplete --force -n tapswitch -o "$out/completion/tapswitch" io.tapswitch.agent.cli.Main
echo "build-docs: $(ls "$out/man" | wc -l) man pages, bash completion"
