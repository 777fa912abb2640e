#pragma once
#include "core/detectors/Detector.h"
#include "ui/jobs/JobRunner.h"

#include <QMainWindow>
#include <QPointer>

#include <cstdint>
#include <vector>

class QAction;
class QDockWidget;
class QMenu;
class QTabWidget;

namespace ds::ui {

class CompareDialog;
class InspectPanel;
class JobPanel;
class ModelsModel;
class ModelsPage;
class ProjectSession;
class ReviewPage;

// The window: a shell of menus, docks and pages. On the left, the project's models above
// the review page's results table; on the right, the review page and the single-part
// inspection as tabs; below, the job log and the image's history as docks. Long work runs
// as one job at a time on the JobRunner, shown with time left and Cancel in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    QString projectPath() const;
    bool isJobRunning() const { return jobs_->isRunning(); }

    // The pages and views, for tests and the screenshot option.
    ReviewPage* reviewPage() const { return review_; }
    InspectPanel* inspectPanel() const { return inspectPanel_; }
    ModelsPage* modelsPage() const { return modelsPage_; }
    QTabWidget* centralTabs() const { return tabs_; }
    ModelsModel* modelsModel() const { return models_; }
    JobPanel* jobPanel() const { return jobPanel_; }

    static QStringList recentProjects();

public Q_SLOTS:
    // Opens (creating when missing) a project; false and a message when it fails.
    bool openProject(const QString& path);
    void closeProject();
    // Writes a copy of the project to path and continues in the copy.
    bool saveProjectAs(const QString& path);
    void importDataset(const QString& folder); // MVTec layout
    void importGoodImages(const QString& folder); // plain folder -> Train split
    void importGoodImageFiles(const QStringList& files); // files -> Train split
    // Dropped or given paths: a project opens, an MVTec folder or good images import.
    void openOrImportPaths(const QStringList& paths);
    // moveToTraining: images that join the training set if, and only if, training succeeds.
    void startTraining(const ds::DetectorSettings& settings, const QString& name = {},
                       const std::vector<std::int64_t>& moveToTraining = {});
    void scoreTestImages(); // with the selected model
    // Resume or discard a run a crash or kill interrupted (asked when a project opens).
    void resumeScoring(qint64 runId);
    void cancelJob();
    void inspectImageDialog();
    void compareModels();

Q_SIGNALS:
    void projectChanged(const QString& path);
    void jobFinished(bool succeeded);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createWidgets();
    void createFileMenu();
    void createModelMenu();
    void createViewMenu();
    void createReviewMenu();
    void updateActions();
    void updateTitle();
    void updateRecentMenu();
    void modelSelectionChanged();
    void saveViewState();
    void offerInterruptedRuns();
    void startScoring(qint64 modelId, qint64 resumeRunId);
    void runJob(const QString& title, JobRunner::Work work);
    void finishJob(const JobOutcome& outcome);
    void showMessage(bool error, const QString& title, const QString& text, const QString& details = {});
    void showStatus(const QString& text, int milliseconds);

    // Dialogs
    void newProjectDialog();
    void openProjectDialog();
    void saveProjectAsDialog();
    void importDatasetDialog();
    void importGoodImagesDialog();
    void importGoodFolderDialog();
    void about();

    ProjectSession* session_ = nullptr;
    JobRunner* jobs_ = nullptr;
    JobPanel* jobPanel_ = nullptr;
    ModelsModel* models_ = nullptr;
    ModelsPage* modelsPage_ = nullptr;
    ReviewPage* review_ = nullptr;
    InspectPanel* inspectPanel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QDockWidget* historyDock_ = nullptr;
    QPointer<CompareDialog> compareDialog_;

    // Actions whose availability follows the project, the selection and the job.
    QAction* newAction_ = nullptr;
    QAction* openAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QList<QAction*> importActions_;
    QAction* inspectAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
};

} // namespace ds::ui
