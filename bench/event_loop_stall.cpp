// How responsive the workbench stays while it trains and scores: a 10 ms timer runs on the
// GUI thread while MainWindow imports a synthetic dataset, trains and scores it on its
// worker thread, and every tick's lateness (actual minus expected interval) is recorded.
// Reports the median, 99th percentile and maximum lateness per phase, and the same while
// idle as a baseline. Usage: bench_event_loop_stall [image size, default 256]
// (run with OMP_WAIT_POLICY=PASSIVE and QT_QPA_PLATFORM=offscreen without a display).
#include "core/backbones/TorchRuntime.h"
#include "datasets/SyntheticDataset.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr int kTickMs = 10;

struct Stall {
    double median = 0, p99 = 0, max = 0;
    size_t ticks = 0;
};

Stall summarise(std::vector<double> lateness)
{
    Stall stall;
    stall.ticks = lateness.size();
    if (lateness.empty())
        return stall;
    std::sort(lateness.begin(), lateness.end());
    stall.median = lateness[lateness.size() / 2];
    stall.p99 = lateness[std::min(lateness.size() - 1, size_t(double(lateness.size()) * 0.99))];
    stall.max = lateness.back();
    return stall;
}

// Runs the event loop until the window's job finishes (or for idleMs when no job starts),
// measuring the timer's lateness meanwhile.
Stall measure(ds::ui::MainWindow& window, int idleMs = 0)
{
    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, (now - last) / 1e6 - kTickMs));
        last = now;
    });
    timer.start(kTickMs);
    QEventLoop loop;
    if (idleMs > 0)
        QTimer::singleShot(idleMs, &loop, &QEventLoop::quit);
    else
        QObject::connect(&window, &ds::ui::MainWindow::jobFinished, &loop, &QEventLoop::quit);
    if (idleMs > 0 || window.isJobRunning())
        loop.exec();
    return summarise(std::move(lateness));
}

void print(const char* phase, const Stall& stall)
{
    std::printf("%-10s ticks %6zu   lateness median %6.2f ms   p99 %7.2f ms   max %7.2f ms\n", phase, stall.ticks, stall.median,
                stall.p99, stall.max);
}

} // namespace

int main(int argc, char* argv[])
{
    ds::restartWithPassiveOpenMp(argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("DefectScopeBench"));
    ds::initTorchRuntime();
    const int imageSize = argc > 1 ? std::atoi(argv[1]) : 256;

    QTemporaryDir dir;
    ds::SyntheticSpec spec;
    spec.category = "part";
    spec.imageSize = imageSize;
    spec.trainGood = 40;
    spec.testGood = 10;
    spec.testDefectsPerType = 4;
    const QString dataset
        = QString::fromStdString(ds::writeSyntheticDataset(dir.filePath(QStringLiteral("data")).toStdString(), spec));

    ds::ui::MainWindow window;
    window.resize(1280, 800);
    window.show();
    if (!window.openProject(dir.filePath(QStringLiteral("bench.dsproj"))))
        return 1;
    std::printf("event-loop lateness with a %d ms timer, synthetic part at %d px\n", kTickMs, imageSize);
    print("idle", measure(window, 2000));
    window.importDataset(dataset);
    print("import", measure(window));
    ds::DetectorSettings settings;
    settings.imageSize = imageSize;
    for (const char* method : {"padim", "patchcore"}) {
        settings.method = method;
        window.startTraining(settings);
        print((std::string("train ") + method).c_str(), measure(window));
        window.scoreTestImages();
        print((std::string("score ") + method).c_str(), measure(window));
    }
    return 0;
}
