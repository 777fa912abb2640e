// defectscope: the desktop GUI. Creates the main window and opens the project given as
// the first argument. Hidden option for documentation and checks: --screenshot FILE
// grabs the window once the project is shown, saves it as PNG and quits.
#include "core/backbones/TorchRuntime.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QStringList>
#include <QTimer>


int main(int argc, char* argv[])
{
    ds::restartWithPassiveOpenMp(argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("DefectScope"));
    QApplication::setApplicationName(QStringLiteral("DefectScope"));
    QApplication::setApplicationVersion(QStringLiteral(DEFECTSCOPE_VERSION));
    ds::initTorchRuntime();

    QString projectPath, screenshotPath;
    const QStringList arguments = QApplication::arguments();
    for (int i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == QStringLiteral("--screenshot") && i + 1 < arguments.size())
            screenshotPath = arguments[++i];
        else if (projectPath.isEmpty() && !arguments[i].startsWith(QLatin1Char('-')))
            projectPath = arguments[i];
    }

    ds::ui::MainWindow window;
    if (!screenshotPath.isEmpty())
        window.resize(1280, 800);
    window.show();
    if (!projectPath.isEmpty())
        window.openProject(projectPath);

    if (!screenshotPath.isEmpty()) {
        QTimer::singleShot(1500, &window, [&window, screenshotPath] {
            const bool saved = window.grab().save(screenshotPath, "PNG");
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
