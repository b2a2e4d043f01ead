import Foundation
import OSSBTestSupport
import Testing

/// scripts/install.sh's own options, which need no build: `--help` and `--uninstall`.
@Suite struct InstallScriptTests {
    static let script = "\(SourceTree.root)/scripts/install.sh"

    @Test func helpShowsTheOptionsAndNoCode() throws {
        let help = try TestProcess.run("/bin/bash", [Self.script, "--help"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(help.status == 0)
        for option in ["--prefix DIR", "--no-demo", "--uninstall", "Swift 6"] {
            #expect(help.stdout.contains(option), "\(help.stdout)")
        }
        #expect(!help.stdout.contains("set -"), "\(help.stdout)")
        #expect(!help.stdout.contains("#"), "\(help.stdout)")
    }

    @Test func uninstallRemovesWhatInstallPutThereAndNothingElse() throws {
        let prefix = TemporaryDirectory()
        let ours = [
            "bin/ossb-registry", "bin/docker-credential-ossb-file", "bin/docker-credential-ossb",
            "bin/ossb-kubelet-credential-provider", "share/bash-completion/completions/ossb-registry",
            "share/zsh/site-functions/_ossb-registry",
        ]
        for file in ours + ["bin/docker-credential-pass", "share/zsh/site-functions/_git"] {
            try prefix.write(file, "x")
        }
        let result = try TestProcess.run(
            "/bin/bash", [Self.script, "--prefix", prefix.path, "--uninstall"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result)")
        for file in ours { #expect(!prefix.exists(file), "\(file) is still there") }
        #expect(prefix.exists("bin/docker-credential-pass") && prefix.exists("share/zsh/site-functions/_git"))
        #expect(result.stdout.contains("removed \(prefix.path)/bin/ossb-registry"))
        let again = try TestProcess.run(
            "/bin/bash", [Self.script, "--prefix", prefix.path, "--uninstall"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(again.status == 0 && again.stdout.contains("nothing of ossb-registry's is installed"), "\(again)")
    }
}
