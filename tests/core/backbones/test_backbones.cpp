// torch before Qt: Qt's keywords would break LibTorch's headers.
#include "core/backbones/Backbone.h"
#include "core/Error.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>

using namespace ds;

namespace {

// A small TorchScript backbone made here, standing in for an exported torchvision model.
std::string writeTinyTorchScript(const QTemporaryDir& dir, const std::string& forward)
{
    torch::jit::Module module("TinyBackbone");
    module.register_parameter("w2", torch::randn({6, 3, 3, 3}), false);
    module.register_parameter("w3", torch::randn({10, 6, 3, 3}), false);
    module.define(forward);
    const std::string path = dir.filePath(QStringLiteral("tiny.pt")).toStdString();
    module.save(path);
    return path;
}

const char* const kTwoLayerForward = R"(
def forward(self, x):
    a = torch.conv2d(x, self.w2, None, [8, 8], [1, 1])
    b = torch.conv2d(a, self.w3, None, [2, 2], [1, 1])
    return (a, b)
)";

torch::Tensor roundTrip(Backbone& backbone, const torch::Tensor& input)
{
    torch::serialize::OutputArchive out;
    backbone.save(out);
    std::ostringstream bytes;
    out.save_to(bytes);
    std::istringstream in(bytes.str());
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    return loadBackbone(archive)->extract(input)[1];
}

} // namespace

class TestBackbones : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtinShapes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("layer2Channels");
        QTest::addColumn<int>("layer3Channels");
        QTest::addRow("resnet18") << "resnet18" << 128 << 256;
        QTest::addRow("wide_resnet50_2") << "wide_resnet50_2" << 512 << 1024;
    }

    void builtinShapes()
    {
        QFETCH(QString, name);
        QFETCH(int, layer2Channels);
        QFETCH(int, layer3Channels);
        torch::NoGradGuard noGrad;
        auto backbone = createBackbone(name.toStdString(), 0);
        const auto maps = backbone->extract(torch::randn({2, 3, 64, 64}));
        QCOMPARE(int(maps.size()), 3);
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t>{2, layer2Channels / 2, 16, 16}));
        QCOMPARE(maps[1].sizes().vec(), (std::vector<int64_t>{2, layer2Channels, 8, 8}));
        QCOMPARE(maps[2].sizes().vec(), (std::vector<int64_t>{2, layer3Channels, 4, 4}));
        QVERIFY(maps[2].isfinite().all().item<bool>());
    }

    void seedMakesInitialisationDeterministic()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        const auto a = createBackbone("resnet18", 7)->extract(input)[1];
        const auto b = createBackbone("resnet18", 7)->extract(input)[1];
        const auto c = createBackbone("resnet18", 8)->extract(input)[1];
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
    }

    void builtinSaveLoadIsIdentical()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        auto backbone = createBackbone("resnet18", 3);
        QVERIFY(torch::equal(backbone->extract(input)[1], roundTrip(*backbone, input)));
    }

    void loadsTorchScriptFile()
    {
        QTemporaryDir dir;
        const std::string path = writeTinyTorchScript(dir, kTwoLayerForward);
        torch::NoGradGuard noGrad;
        auto backbone = createBackbone(path, 0);
        QCOMPARE(backbone->name(), std::string("tiny.pt"));
        const torch::Tensor input = torch::randn({2, 3, 64, 64});
        const auto maps = backbone->extract(input);
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t>{2, 6, 8, 8}));
        QCOMPARE(maps[1].sizes().vec(), (std::vector<int64_t>{2, 10, 4, 4}));
        // The saved model carries the file's bytes: it still loads when the file is gone.
        QFile::remove(QString::fromStdString(path));
        QVERIFY(torch::equal(maps[1], roundTrip(*backbone, input)));
        QCOMPARE(int(maps.size()), 2);
    }

    void refusesTorchScriptWithOneOutput()
    {
        QTemporaryDir dir;
        const std::string path = writeTinyTorchScript(dir, R"(
def forward(self, x):
    return torch.conv2d(x, self.w2, None, [8, 8], [1, 1])
)");
        try {
            createBackbone(path, 0);
            QFAIL("a one-output module was accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("two feature maps")), e.what());
        }
    }

    void refusesBrokenFileAndUnknownName()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("broken.pt")).toStdString();
        std::ofstream(path, std::ios::binary) << std::string(300, '\x17');
        QVERIFY_THROWS_EXCEPTION(InputError, createBackbone(path, 0));
        QVERIFY_THROWS_EXCEPTION(InputError, createBackbone("resnet1000", 0));
    }
};

QTEST_GUILESS_MAIN(TestBackbones)
#include "test_backbones.moc"
