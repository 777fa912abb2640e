// The one runner every long job of the workbench goes through: one job at a time, its
// reports on the GUI thread, its outcome as a value, and cancel honoured.
#include "core/Error.h"
#include "ui/jobs/JobRunner.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

using ds::ui::JobOutcome;
using ds::ui::JobRunner;

Q_DECLARE_METATYPE(ds::ui::JobOutcome)

class TestJobRunner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<JobOutcome>(); }

    void runsOneJobAndReportsOnTheGuiThread()
    {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::progress);
        QSignalSpy lines(&runner, &JobRunner::logLine);
        QSignalSpy points(&runner, &JobRunner::curvePoint);
        QSignalSpy finished(&runner, &JobRunner::finished);
        std::atomic<bool> release {false};
        bool reportsOnGuiThread = true;
        connect(&runner, &JobRunner::progress, this, [&] { reportsOnGuiThread &= QThread::currentThread() == thread(); });
        QVERIFY(runner.start(QStringLiteral("Counting"), [&](ds::JobContext& job) {
            job.report(0.5, "Half way");
            job.log("a line");
            job.addCurvePoint("loss", 1, 0.25);
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            JobOutcome outcome;
            outcome.message = QStringLiteral("Counted.");
            outcome.selectModelId = 7;
            return outcome;
        }));
        QVERIFY(runner.isRunning());
        QVERIFY(!runner.start(QStringLiteral("Second"), [](ds::JobContext&) { return JobOutcome(); })); // one at a time
        QTRY_COMPARE(progress.count(), 1);
        QCOMPARE(progress.first().at(1).toString(), QStringLiteral("Half way"));
        QTRY_COMPARE(points.count(), 1);
        QCOMPARE(points.first().at(0).toString(), QStringLiteral("loss"));
        release = true;
        QVERIFY(finished.wait(10000));
        QVERIFY(!runner.isRunning());
        const JobOutcome outcome = finished.first().first().value<JobOutcome>();
        QCOMPARE(outcome.status, JobOutcome::Status::Succeeded);
        QCOMPARE(outcome.selectModelId, qint64(7));
        QVERIFY(reportsOnGuiThread);
        QStringList logged;
        for (const QList<QVariant>& line : lines)
            logged << line.first().toString();
        QCOMPARE(logged.value(0), QStringLiteral("Counting started."));
        QVERIFY(logged.contains(QStringLiteral("a line")));
        QVERIFY(logged.last().startsWith(QStringLiteral("Counted. (")));
    }

    void failureAndCancelBecomeOutcomes()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::finished);
        QVERIFY(runner.start(QStringLiteral("Failing"),
                             [](ds::JobContext&) -> JobOutcome { throw ds::InputError("image.png: damaged"); }));
        QVERIFY(finished.wait(10000));
        JobOutcome outcome = finished.takeFirst().first().value<JobOutcome>();
        QCOMPARE(outcome.status, JobOutcome::Status::Failed);
        QCOMPARE(outcome.message, QStringLiteral("image.png: damaged"));
        QVERIFY(outcome.badInput); // the user's file, not a fault of the program

        QVERIFY(runner.start(QStringLiteral("Endless"), [](ds::JobContext& job) -> JobOutcome {
            for (;;) {
                job.throwIfCancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }));
        runner.cancel();
        QVERIFY(finished.wait(10000));
        outcome = finished.takeFirst().first().value<JobOutcome>();
        QCOMPARE(outcome.status, JobOutcome::Status::Cancelled);

        // A job failing for any reason after cancel was asked for counts as cancelled.
        QVERIFY(runner.start(QStringLiteral("Failing late"), [](ds::JobContext& job) -> JobOutcome {
            while (!job.isCancelled())
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            throw std::runtime_error("interrupted mid-write");
        }));
        runner.cancel();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.takeFirst().first().value<JobOutcome>().status, JobOutcome::Status::Cancelled);

        QVERIFY(
            runner.start(QStringLiteral("Faulty"), [](ds::JobContext&) -> JobOutcome { throw std::runtime_error("disk full"); }));
        QVERIFY(finished.wait(10000));
        outcome = finished.takeFirst().first().value<JobOutcome>();
        QCOMPARE(outcome.status, JobOutcome::Status::Failed);
        QVERIFY(!outcome.badInput);
    }

    void destroyingTheRunnerStopsTheJobFirst()
    {
        auto stopped = std::make_shared<std::atomic<bool>>(false);
        {
            JobRunner runner;
            QVERIFY(runner.start(QStringLiteral("Long"), [stopped](ds::JobContext& job) -> JobOutcome {
                while (!job.isCancelled())
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                *stopped = true;
                return {};
            }));
        }
        QVERIFY(*stopped); // the destructor waited for the job to return
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
