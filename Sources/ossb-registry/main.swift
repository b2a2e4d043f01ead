import Glibc
import RegistryCommands

// The operator's command-line tool; everything lives in RegistryCommands so it is testable in-process.
// An interrupted pull or copy removes its partial downloads and the layout it had not finished.
RegistryCommandLine.handleInterrupts()
exit(await RegistryCommandLine.run(Array(CommandLine.arguments.dropFirst()), context: .process()))
