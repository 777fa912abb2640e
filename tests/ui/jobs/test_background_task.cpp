// Work off the GUI thread: results come back on it, a newer start makes older results
// stale, failures arrive as messages, and the task never outlives its owner.
#include "ui/jobs/BackgroundTask.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using ds::ui::BackgroundTask;

class TestBackgroundTask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void deliversPartialAndFinalResultsOnTheOwnersThread()
    {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        std::vector<int> received;
        bool onOwnersThread = true;
        task.start([&](ds::JobContext&, const BackgroundTask::Post& post) -> BackgroundTask::Apply {
            for (int i = 1; i <= 3; ++i)
                post([&, i] {
                    onOwnersThread &= QThread::currentThread() == thread();
                    received.push_back(i);
                });
            return [&] { received.push_back(100); };
        });
        QVERIFY(task.isRunning());
        QVERIFY(finished.wait(10000));
        QVERIFY(!task.isRunning());
        QCOMPARE(received, (std::vector<int> {1, 2, 3, 100}));
        QVERIFY(onOwnersThread);
    }

    void aNewerStartMakesOlderResultsStale()
    {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        std::vector<int> received;
        std::atomic<bool> firstSawCancel {false};
        task.start([&](ds::JobContext& job, const BackgroundTask::Post&) -> BackgroundTask::Apply {
            while (!job.isCancelled())
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            firstSawCancel = true;
            return [&] { received.push_back(1); }; // arrives after the second start: dropped
        });
        task.start([&](ds::JobContext&, const BackgroundTask::Post&) -> BackgroundTask::Apply {
            return [&] { received.push_back(2); };
        });
        QVERIFY(finished.wait(10000));
        QTest::qWait(50); // anything stale would have arrived by now
        QVERIFY(firstSawCancel);
        QCOMPARE(received, std::vector<int> {2});
        QCOMPARE(finished.count(), 1);
    }

    void failuresArriveAsMessages()
    {
        BackgroundTask task;
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy finished(&task, &BackgroundTask::finished);
        task.start([](ds::JobContext&, const BackgroundTask::Post&) -> BackgroundTask::Apply {
            throw std::runtime_error("image.png: truncated");
        });
        QVERIFY(finished.wait(10000));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().first().toString(), QStringLiteral("image.png: truncated"));
    }

    void cancelDropsTheResultAndDestructionWaits()
    {
        auto stopped = std::make_shared<std::atomic<bool>>(false);
        int applied = 0;
        {
            BackgroundTask task;
            task.start([stopped, &applied](ds::JobContext& job, const BackgroundTask::Post&) -> BackgroundTask::Apply {
                while (!job.isCancelled())
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                *stopped = true;
                return [&applied] { ++applied; };
            });
            task.cancel();
            QVERIFY(!task.isRunning());
        }
        QVERIFY(*stopped); // the destructor waited for the work to return
        QCoreApplication::processEvents();
        QCOMPARE(applied, 0);
    }
};

QTEST_MAIN(TestBackgroundTask)
#include "test_background_task.moc"
