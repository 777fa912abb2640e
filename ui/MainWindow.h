#pragma once
#include "core/detectors/Detector.h"
#include "core/review/ResultsExport.h"
#include "ui/jobs/JobRunner.h"

#include <QMainWindow>
#include <QPointer>

#include <cstdint>
#include <vector>

class QAction;
class QDockWidget;
class QMenu;
class QTabWidget;

namespace ds {
struct DefectType;
}

namespace ds::ui {

class CompareDialog;
class InspectPanel;
class JobPanel;
class ModelsModel;
class ModelsView;
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
    QTabWidget* centralTabs() const { return tabs_; }
    ModelsView* modelsView() const { return modelsView_; }
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
    void selectModel(qint64 modelId);
    // Removes the model with its runs and results (no confirmation: see deleteModelDialog).
    bool deleteModel(qint64 modelId);
    void inspectImageDialog();
    void compareModels();
    // Moves the test images reviewed Good into the training set and retrains the selected
    // model's settings on it (no confirmation: see retrainWithReviewsDialog).
    bool retrainWithReviewedGood();
    // Writes the run shown (CSV, optional PNGs) on the worker thread, at the current threshold.
    void exportResults(const ds::ResultsExportOptions& options);
    // Writes a PDF or HTML report (by the path's suffix) on the selected model's latest run.
    void exportReport(const QString& path);
    // After the project's defect types changed (types held before the change).
    void defectTypesEdited(const std::vector<ds::DefectType>& before);

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
    void refreshModels();
    qint64 selectedModelId() const;
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
    void trainDialog();
    void deleteModelDialog();
    void retrainWithReviewsDialog();
    void exportResultsDialog();
    void exportReportDialog();
    void defectTypesDialog();
    void preferencesDialog();
    void about();

    ProjectSession* session_ = nullptr;
    JobRunner* jobs_ = nullptr;
    JobPanel* jobPanel_ = nullptr;
    ModelsModel* models_ = nullptr;
    ModelsView* modelsView_ = nullptr;
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
    QAction* trainAction_ = nullptr;
    QAction* scoreAction_ = nullptr;
    QAction* compareAction_ = nullptr;
    QAction* deleteModelAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* retrainAction_ = nullptr;
    QAction* exportResultsAction_ = nullptr;
    QAction* exportReportAction_ = nullptr;
    QAction* defectTypesAction_ = nullptr;
};

} // namespace ds::ui
