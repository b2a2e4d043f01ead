import AuthCore
import Testing

@testable import SecretServiceStore

@Suite struct KeyringTimeoutTests {
    @Test func defaultsToFiveSeconds() throws {
        #expect(try KeyringTimeout.seconds(from: Environment()) == 5)
        #expect(try KeyringTimeout.seconds(from: Environment(["OSSB_KEYRING_TIMEOUT": ""])) == 5)
    }

    @Test func readsWholeAndFractionalSeconds() throws {
        #expect(try KeyringTimeout.seconds(from: Environment(["OSSB_KEYRING_TIMEOUT": "2"])) == 2)
        #expect(try KeyringTimeout.seconds(from: Environment(["OSSB_KEYRING_TIMEOUT": " 0.25 "])) == 0.25)
    }

    @Test(arguments: ["0", "-1", "abc", "5s", "nan", "inf", "1e9"])
    func rejectsWhatIsNotAPositiveNumberOfSeconds(_ value: String) {
        #expect {
            try KeyringTimeout.seconds(from: Environment(["OSSB_KEYRING_TIMEOUT": value]))
        } throws: { error in
            let message = (error as? CredentialStoreError)?.message ?? ""
            return message.hasPrefix("OSSB_KEYRING_TIMEOUT must be a number of seconds")
                && message.contains("\"\(value)\"")
        }
    }

    @Test func messagesShowSecondsPlainly() {
        #expect(KeyringTimeout.format(5) == "5")
        #expect(KeyringTimeout.format(0.5) == "0.5")
        #expect(SecretServiceMessages.timedOut(1).contains("within 1 s (OSSB_KEYRING_TIMEOUT)"))
    }
}
