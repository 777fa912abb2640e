// defectscope: the desktop GUI. Creates the main window and opens the project given as
// the first argument. Options for documentation and checks:
//   --screenshot FILE   once the project is shown, save the window as PNG and quit
//   --inspect IMAGE     inspect this image in the Inspect tab (screenshot when it is shown)
//   --compare           open Model → Compare Models and save that dialog instead
//   --review            show the image's history and turn mask editing on
//   --train METHOD      open Model → Train on METHOD and save that dialog instead
#include "core/backbones/TorchRuntime.h"
#include "ui/CompareDialog.h"
#include "ui/InspectPanel.h"
#include "ui/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QStringList>
#include <QTabWidget>
#include <QTimer>

namespace {

// Saves widget as PNG after the events already queued (final layout, plots) are handled.
void saveScreenshotSoon(QWidget* widget, const QString& path)
{
    QTimer::singleShot(500, widget, [widget, path] { QApplication::exit(widget->grab().save(path, "PNG") ? 0 : 1); });
}

} // namespace

int main(int argc, char* argv[])
{
    ds::restartWithPassiveOpenMp(argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("DefectScope"));
    QApplication::setApplicationName(QStringLiteral("DefectScope"));
    QApplication::setApplicationVersion(QStringLiteral(DEFECTSCOPE_VERSION));
    ds::initTorchRuntime();

    QString projectPath, screenshotPath, inspectPath, trainMethod;
    bool compare = false, review = false;
    const QStringList arguments = QApplication::arguments();
    for (int i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == QStringLiteral("--screenshot") && i + 1 < arguments.size())
            screenshotPath = arguments[++i];
        else if (arguments[i] == QStringLiteral("--inspect") && i + 1 < arguments.size())
            inspectPath = arguments[++i];
        else if (arguments[i] == QStringLiteral("--compare"))
            compare = true;
        else if (arguments[i] == QStringLiteral("--train") && i + 1 < arguments.size())
            trainMethod = arguments[++i];
        else if (arguments[i] == QStringLiteral("--review"))
            review = true;
        else if (projectPath.isEmpty() && !arguments[i].startsWith(QLatin1Char('-')))
            projectPath = arguments[i];
    }

    ds::ui::MainWindow window;
    if (!screenshotPath.isEmpty())
        window.resize(1360, 860);
    window.show();
    if (!projectPath.isEmpty())
        window.openProject(projectPath);

    if (review) {
        window.findChild<QDockWidget*>(QStringLiteral("historyDock"))->show();
        window.findChild<QAction*>(QStringLiteral("editMaskAction"))->setChecked(true);
    }
    if (!screenshotPath.isEmpty()) // never hang a documentation run on a view that does not come up
        QTimer::singleShot(180000, &app, [] { QApplication::exit(1); });
    if (!inspectPath.isEmpty()) {
        window.centralTabs()->setCurrentWidget(window.inspectPanel());
        if (!screenshotPath.isEmpty()) {
            const auto shoot = [&window, screenshotPath] { saveScreenshotSoon(&window, screenshotPath); };
            QObject::connect(window.inspectPanel(), &ds::ui::InspectPanel::inspected, &window, shoot);
            QObject::connect(window.inspectPanel(), &ds::ui::InspectPanel::failed, &window, shoot);
        }
        window.inspectPanel()->inspectFile(inspectPath);
    } else if (compare) {
        window.compareModels();
        auto* dialog = window.findChild<ds::ui::CompareDialog*>();
        if (dialog && !screenshotPath.isEmpty()) {
            dialog->resize(1360, 900);
            QObject::connect(dialog, &ds::ui::CompareDialog::comparisonReady, dialog,
                             [dialog, screenshotPath] { saveScreenshotSoon(dialog, screenshotPath); });
        }
    } else if (!trainMethod.isEmpty()) {
        QTimer::singleShot(1000, &window, [trainMethod, screenshotPath] {
            QWidget* dialog = QApplication::activeModalWidget();
            if (!dialog)
                return;
            auto* methods = dialog->findChild<QComboBox*>(QStringLiteral("methodBox"));
            methods->setCurrentIndex(std::max(0, methods->findData(trainMethod)));
            if (!screenshotPath.isEmpty())
                saveScreenshotSoon(dialog, screenshotPath);
        });
        // From the event loop, so that closing the dialog's own loop ends the program.
        QTimer::singleShot(0, &window, [&window] { window.findChild<QAction*>(QStringLiteral("trainAction"))->trigger(); });
    } else if (!screenshotPath.isEmpty()) {
        QTimer::singleShot(1000, &window, [&window, screenshotPath] { saveScreenshotSoon(&window, screenshotPath); });
    }
    return app.exec();
}
