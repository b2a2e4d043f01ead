// The shared test support (temporary directories) is visible to every file of this target.
@_exported import OSSBTestSupport
