"""The error hierarchy: every user-facing failure of the library is one of these.

The library never prints; the CLI turns these into one-line messages and exit codes.
"""

from __future__ import annotations


class RedlineError(Exception):
    """Base class for every error the library raises on bad input."""

    exit_code = 1


class CorpusError(RedlineError):
    """A corpus file is missing, malformed or does not match the schema."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file, self.line, self.detail = file, line, message
        where = file or ""
        if file and line:
            where = f"{file}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class CorpusNotFound(CorpusError):
    """No corpus where one was looked for: the directory does not exist or holds no manifest.xml."""

    exit_code = 2


class FileError(RedlineError):
    """A file or directory cannot be read or written: missing, permissions, a full disk, a bad name."""

    def __init__(self, message: str, path: str | None = None):
        self.path, self.detail = (str(path) if path is not None else None), message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class InputRefused(FileError):
    """An input redline will not read: not a regular file, or larger than its size limit."""

    exit_code = 2


class OutputRefused(FileError):
    """An output path redline will not write: empty, one of the inputs, inside the corpus read."""

    exit_code = 2


class CorpusBusy(RedlineError):
    """Another process is writing to the corpus and did not finish in time."""


class XMLInputError(CorpusError):
    """An XML input is not well-formed, or is hostile (DTD, entities)."""


class UnknownVersion(RedlineError):
    """A version id that the corpus does not hold."""

    def __init__(self, version: str, known: list[str]):
        self.version, self.known = version, known
        super().__init__(f"unknown version {version!r}; the corpus holds: {', '.join(known)}")


class AddressSyntaxError(RedlineError):
    """A string that is not an address of the form G, G3, G3.20, G3.20(b)(ii)."""

    def __init__(self, text: str):
        self.text = text
        super().__init__(
            f"{text!r} is not an address (expected e.g. G, G3, G3.20, G3.20(b), G1.7(c)(ii))"
        )


class UnknownAddress(RedlineError):
    """An address that the version does not hold."""

    def __init__(self, address: str, version: str, suggestions: list[str] = (), hint: str = ""):
        self.address, self.version, self.suggestions = address, version, list(suggestions)
        msg = f"{address} is not in version {version}"
        if self.suggestions:
            msg += f" (nearest: {', '.join(self.suggestions)})"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


class ModificationError(RedlineError):
    """A modification file is unreadable, invalid, or names an unknown modification."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file, self.line, self.detail = file, line, message
        where = f"{file}:{line}" if file and line else (file or "")
        super().__init__(f"{where}: {message}" if where else message)


class ApplyError(RedlineError):
    """A modification does not apply cleanly; ``failures`` lists every reason."""

    def __init__(self, modification: str, failures: list):
        self.modification, self.failures = modification, list(failures)
        lines = [f"{modification} does not apply: {len(self.failures)} failure(s)"]
        lines += [f"  - {f}" for f in self.failures]
        super().__init__("\n".join(lines))


class DocumentError(RedlineError):
    """An input document (a .docx, a text file) that cannot or must not be read: not a Word
    package, a zip bomb, encrypted, macro-enabled, a DTD or entity in a part, binary text."""

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file, self.line, self.detail = file, line, message
        where = f"{file}:{line}" if file and line else (file or "")
        super().__init__(f"{where}: {message}" if where else message)


class SourceError(RedlineError):
    """A source document that can be read but not imported (no clause found, an unknown section)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file, self.line, self.detail = file, line, message
        where = f"{file}:{line}" if file and line else (file or "")
        super().__init__(f"{where}: {message}" if where else message)
