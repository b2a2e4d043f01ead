import Glibc
import RegistryCommands

// The operator's command-line tool; everything lives in RegistryCommands so it is testable in-process.
exit(await RegistryCommandLine.run(Array(CommandLine.arguments.dropFirst()), context: .process()))
