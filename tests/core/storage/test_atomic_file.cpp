// Files written whole or not at all: whatever fails or stops the writing, the file under
// its name keeps what it held, nothing half-written is published and, unless the process
// died, no temporary is left behind.
#include "core/Error.h"
#include "core/storage/AtomicFile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

class TestAtomicFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void writesAndReplacesWholeLeavingNoTemporary();
    void temporaryNamesStayBesideTheTargetWithItsExtension();
    void failedRenameLeavesTheTargetAsItWas();
    void missingFolderIsAnErrorNamingThePath();
    void writeFailingMidwayKeepsTheOldContents();
    void writerKilledMidwayKeepsTheOldContents();
    void writesReplacePlantedSymlinksInsteadOfFollowingThem();
    void syncToDiskSaysWhyItFailed();

private:
    fs::path file(const char* name) const { return fs::path(dir_->path().toStdString()) / name; }
    // Names in the folder, the temporaries (".name.saving-…") included.
    int entriesInFolder() const { return int(std::distance(fs::directory_iterator(dir_->path().toStdString()), {})); }

    std::unique_ptr<QTemporaryDir> dir_;
};

namespace {

std::string contentsOf(const fs::path& path)
{
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string("<unreadable>");
}

// Files larger than `bytes` cannot be written by this process while it lives; writing past
// the limit fails with EFBIG when SIGXFSZ is ignored, and kills the process when it is not.
void limitFileSize(rlim_t bytes)
{
    rlimit limit {};
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
}

} // namespace

void TestAtomicFile::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
}

void TestAtomicFile::writesAndReplacesWholeLeavingNoTemporary()
{
    const fs::path target = file("settings.json");
    ds::writeFileAtomically(target, "first");
    QCOMPARE(contentsOf(target), std::string("first"));
    ds::writeFileAtomically(target, std::string(100000, 'x'));
    QCOMPARE(contentsOf(target), std::string(100000, 'x'));
    ds::writeFileAtomically(target, "");
    QCOMPARE(fs::file_size(target), std::uintmax_t(0));
    QCOMPARE(entriesInFolder(), 1);
}

void TestAtomicFile::temporaryNamesStayBesideTheTargetWithItsExtension()
{
    const fs::path target = file("report.pdf");
    const fs::path first = ds::temporaryNameNextTo(target);
    const fs::path second = ds::temporaryNameNextTo(target);
    QCOMPARE(first.parent_path(), target.parent_path()); // the rename stays on one file system
    QCOMPARE(first.extension(), fs::path(".pdf"));
    QVERIFY(first.filename().string().rfind(".report.saving-", 0) == 0);
    QVERIFY(first != second);
}

void TestAtomicFile::failedRenameLeavesTheTargetAsItWas()
{
    // A folder cannot be replaced by a file: everything is written, then the rename fails.
    const fs::path target = file("taken");
    fs::create_directory(target);
    ds::writeFileAtomically(target / "inside.txt", "kept");
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::writeFileAtomically(target, "new"));
    QVERIFY(fs::is_directory(target));
    QCOMPARE(contentsOf(target / "inside.txt"), std::string("kept"));
    QCOMPARE(entriesInFolder(), 1);
}

void TestAtomicFile::missingFolderIsAnErrorNamingThePath()
{
    const fs::path target = file("absent") / "out.csv";
    try {
        ds::writeFileAtomically(target, "a,b\n");
        QFAIL("writing into a missing folder succeeded");
    } catch (const ds::Error& error) {
        QVERIFY2(std::string(error.what()).find(target.string()) != std::string::npos, error.what());
    }
    QVERIFY(!fs::exists(target.parent_path()));
}

void TestAtomicFile::writeFailingMidwayKeepsTheOldContents()
{
    const fs::path target = file("model.json");
    ds::writeFileAtomically(target, "old");
    // As a full disk would: the first kilobyte is written, the rest refused.
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved {};
    getrlimit(RLIMIT_FSIZE, &saved);
    limitFileSize(1024);
    bool threw = false;
    try {
        ds::writeFileAtomically(target, std::string(64 * 1024, 'n'));
    } catch (const ds::Error&) {
        threw = true;
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);
    QVERIFY(threw);
    QCOMPARE(contentsOf(target), std::string("old"));
    QCOMPARE(entriesInFolder(), 1);
}

void TestAtomicFile::writerKilledMidwayKeepsTheOldContents()
{
    const fs::path target = file("heatmap.png");
    ds::writeFileAtomically(target, "old");
    // A child process is killed (SIGXFSZ) halfway through writing, as by a crash.
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        const rlimit noCoreDump {0, 0};
        setrlimit(RLIMIT_CORE, &noCoreDump);
        limitFileSize(1024);
        try {
            ds::writeFileAtomically(target, std::string(64 * 1024, 'n'));
        } catch (...) {
        }
        _exit(0); // not reached: the write past the limit kills the process
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
    QCOMPARE(contentsOf(target), std::string("old"));
}

// An output path where someone planted a symlink to another file: the writer replaces the
// link with the new file and the other file keeps its bytes.
void TestAtomicFile::writesReplacePlantedSymlinksInsteadOfFollowingThem()
{
    const fs::path victim = file("victim.txt");
    ds::writeFileAtomically(victim, "precious");
    const fs::path json = file("report.json");
    const fs::path png = file("heatmap.png");
    fs::create_symlink(victim, json);
    fs::create_symlink(victim, png);
    ds::writeFileAtomically(json, "{}");
    ds::writePngAtomically(png, cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)));
    QVERIFY(!fs::is_symlink(json));
    QVERIFY(!fs::is_symlink(png));
    QCOMPARE(contentsOf(victim), std::string("precious"));
    QCOMPARE(contentsOf(json), std::string("{}"));
    QCOMPARE(cv::imread(png.string()).size(), cv::Size(4, 4));
}

void TestAtomicFile::syncToDiskSaysWhyItFailed()
{
    const fs::path written = file("written.txt");
    ds::writeFileAtomically(written, "x");
    QCOMPARE(ds::syncToDisk(written), std::string());
    QVERIFY(!ds::syncToDisk(file("absent.txt")).empty());
}

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
