import AuthCore
import Glibc
import RegistryCommands

// It reads passwords and holds tokens: no core dump, no debugger attach by other processes.
ProcessHardening.makeNonDumpable()
// The operator's command-line tool; everything lives in RegistryCommands so it is testable in-process.
let arguments = Array(CommandLine.arguments.dropFirst())
exit(await Interruption.run { await RegistryCommandLine.run(arguments, context: .process()) })
