#pragma once
// Runs defectscope-cli (DEFECTSCOPE_CLI_PATH, set by the test's CMake target) as a user
// would, for the tests that drive the command line.
#include <QProcess>
#include <QString>
#include <QStringList>

namespace ds::test {

struct CliOutcome {
    int exitCode; // -1: did not end in time (killed), -2: crashed
    QString out;
    QString err;
};

inline CliOutcome runCli(const QStringList& arguments, int timeoutMs = 300000)
{
    QProcess process;
    process.start(QStringLiteral(DEFECTSCOPE_CLI_PATH), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, {}, QStringLiteral("did not end in time: ") + arguments.join(QLatin1Char(' '))};
    }
    if (process.exitStatus() == QProcess::CrashExit)
        return {-2, {}, QStringLiteral("crashed: ") + arguments.join(QLatin1Char(' '))};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace ds::test
