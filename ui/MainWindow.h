#pragma once
#include "core/detectors/Detector.h"
#include "core/review/ResultsExport.h"
#include "ui/jobs/JobRunner.h"
#include "ui/models/ResultsModel.h"
#include "core/storage/ProjectFile.h"

#include <QFuture>
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <opencv2/core.hpp>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableView;
class QThreadPool;
class QTimer;
class QTreeWidget;
class QWidget;

namespace ds {
class JobContext;
struct ResultRecord;
} // namespace ds

namespace ds::ui {

class CompareDialog;
class CurvePlot;
class ImagePane;
class InspectPanel;
class ReviewPanel;
class ResultsFilterProxy;
class ThresholdPlots;
class ThumbnailLoader;

// The main window: a project's models, the selected model's latest run as a ranked,
// filterable table, the selected image with its heatmap, the threshold panel, and the
// single-part inspection tab. Long work runs as one job at a time on a worker thread,
// shown (with time left, a log and Cancel) in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    QString projectPath() const { return projectPath_; }
    bool isJobRunning() const { return jobs_->isRunning(); }

    // For tests and the screenshot option.
    QTreeWidget* modelsView() const { return modelsView_; }
    QTableView* resultsView() const { return resultsView_; }
    ResultsFilterProxy* resultsProxy() const { return resultsProxy_; }
    ResultsModel* resultsModel() const { return resultsModel_; }
    QComboBox* showFilter() const { return showFilter_; }
    QComboBox* labelFilter() const { return labelFilter_; }
    QSlider* thresholdSlider() const { return thresholdSlider_; }
    ImagePane* imagePane() const { return imagePane_; }
    ThresholdPlots* thresholdPlots() const { return thresholdPlots_; }
    InspectPanel* inspectPanel() const { return inspectPanel_; }
    QTabWidget* centralTabs() const { return tabs_; }
    ReviewPanel* reviewPanel() const { return reviewPanel_; }
    QTreeWidget* historyView() const { return historyView_; }
    QLabel* metricsLabel() const { return metricsLabel_; }
    // The name verdicts and mask edits are recorded under (Edit → Preferences).
    static QString reviewerName();
    QPlainTextEdit* jobLog() const { return log_; }
    CurvePlot* jobCurves() const { return curves_; }
    QPushButton* resetThresholdButton() const { return resetThreshold_; }
    double currentThreshold() const;
    qint64 currentImageId() const { return imageId_; }

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
    void selectImage(qint64 imageId);
    void nextImage();
    void previousImage();
    void inspectImageDialog();
    void compareModels();
    // Records a person's verdict on the image shown, then moves on to the next image.
    void giveVerdict(ds::Verdict verdict);
    void setReviewOrder(int order); // ReviewPanel::Order
    // Moves the test images reviewed Good into the training set and retrains the selected
    // model's settings on it (no confirmation: see retrainWithReviewsDialog).
    bool retrainWithReviewedGood();
    // Writes the run shown (CSV, optional PNGs) on the worker thread, at the current threshold.
    void exportResults(const ds::ResultsExportOptions& options);
    // Writes a PDF or HTML report (by the path's suffix) on the selected model's latest run.
    void exportReport(const QString& path);

Q_SIGNALS:
    void projectChanged(const QString& path);
    void jobFinished(bool succeeded);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private Q_SLOTS:
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
    // Saves a mask edit of the image shown, with who made it and what was shown.
    void saveMaskEdit(const cv::Mat& mask, const QString& action);
    void preferencesDialog();
    void about();
    void modelSelectionChanged();
    void resultSelectionChanged();
    void thresholdSliderMoved(int value);
    void plotThresholdChanged(double threshold);
    void resetThreshold();

private:
    void createActions();
    void createWidgets();
    QWidget* createResultsPane();
    QWidget* createReviewTab();
    void createJobPanel();
    void updateActions();
    void updateTitle();
    void updateRecentMenu();
    void rememberRecent(const QString& path);
    void refreshModels();
    void loadLatestRun(qint64 modelId);
    void updateLabelFilter();
    void requestThumbnails();
    void updateThresholdPlots();
    void updateReviewProgress();
    void showReviewState(); // the review panel for the image shown: model's and person's verdicts
    void showHistory();
    // Image and pixel metrics of the run shown, from the current truth, on a worker thread.
    void scheduleMetrics();
    void computeMetrics();
    void applyReviewOrder();
    ds::ReviewContext reviewContext() const;
    void readImages(); // fills images_ and reviews_; throws on a read error
    QString imageCaption() const;
    qint64 selectedModelId() const;
    void runJob(const QString& title, JobRunner::Work work);
    void showJobProgress(double fraction, const QString& stage);
    void appendLog(const QString& line);
    void finishJob(const JobOutcome& outcome);
    void appendLiveResult(qint64 runId, qint64 imageId, double score);
    void showMessage(bool error, const QString& title, const QString& text, const QString& details = {});
    void offerInterruptedRuns();
    void updateVerdictActions(); // D/G/U act only on an image of a run
    void startScoring(qint64 modelId, qint64 resumeRunId);
    double sliderToThreshold(int value) const;
    int thresholdToSlider(double threshold) const;
    // Applies a threshold to the verdicts, overlay, slider, plots and inspection.
    void applyThreshold(double threshold, bool updateSlider);
    // The user's threshold per model is kept in the project (ProjectFile::chosenThreshold),
    // written shortly after the last change and before the run or project changes.
    void scheduleThresholdSave();
    bool saveThresholdNow(); // false: not written (retried shortly)
    // The selected model and image, restored when the project is reopened.
    void saveViewState();

    QString projectPath_;
    std::unique_ptr<ds::ProjectFile> project_; // UI thread's own connection, for reading

    // Actions
    QAction* newAction_ = nullptr;
    QAction* openAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* importDatasetAction_ = nullptr;
    QAction* importImagesAction_ = nullptr;
    QAction* importFolderAction_ = nullptr;
    QAction* inspectAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* trainAction_ = nullptr;
    QAction* scoreAction_ = nullptr;
    QAction* compareAction_ = nullptr;
    QAction* deleteModelAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* retrainAction_ = nullptr;
    QAction* exportResultsAction_ = nullptr;
    QAction* exportReportAction_ = nullptr;
    QAction* editMaskAction_ = nullptr;
    QAction* defectTypesAction_ = nullptr;
    QList<QAction*> verdictActions_; // Defect, Good, Unsure: only while an image of a run is shown

    // Views
    QTreeWidget* modelsView_ = nullptr;
    QTableView* resultsView_ = nullptr;
    ResultsModel* resultsModel_ = nullptr;
    ResultsFilterProxy* resultsProxy_ = nullptr;
    QComboBox* showFilter_ = nullptr;
    QComboBox* labelFilter_ = nullptr;
    ThumbnailLoader* thumbnails_ = nullptr;
    QTimer* thumbnailBatch_ = nullptr; // gathers rows that arrive while scoring
    QLabel* runLabel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    ImagePane* imagePane_ = nullptr;
    InspectPanel* inspectPanel_ = nullptr;
    QSlider* thresholdSlider_ = nullptr;
    QLabel* thresholdValue_ = nullptr;
    QPushButton* resetThreshold_ = nullptr;
    ThresholdPlots* thresholdPlots_ = nullptr;
    QTimer* thresholdSaveTimer_ = nullptr;
    bool thresholdDirty_ = false;
    QPointer<CompareDialog> compareDialog_;
    QDockWidget* logDock_ = nullptr;
    ReviewPanel* reviewPanel_ = nullptr;
    QDockWidget* historyDock_ = nullptr;
    QTreeWidget* historyView_ = nullptr;
    QLabel* metricsLabel_ = nullptr;
    QTimer* metricsTimer_ = nullptr;
    QFuture<void> metricsFuture_;
    quint64 metricsGeneration_ = 0; // results of an older request are dropped
    bool revertingMaskEdit_ = false; // taking back a mask edit the project refused
    QPlainTextEdit* log_ = nullptr;
    CurvePlot* curves_ = nullptr; // e.g. a method's training loss, shown once a point arrives

    // Job panel
    QWidget* jobPanel_ = nullptr;
    QLabel* jobStage_ = nullptr;
    QProgressBar* jobProgress_ = nullptr;
    QPushButton* jobCancel_ = nullptr;
    JobRunner* jobs_ = nullptr;
    qint64 scoringModelId_ = 0; // while a scoring job runs: its model

    // Current run and image
    qint64 runId_ = 0;
    qint64 runModelId_ = 0; // model of the run shown
    double runThreshold_ = 0; // the run's own threshold (Reset)
    double scoreMin_ = 0.0;
    double scoreMax_ = 1.0;
    qint64 imageId_ = 0;
    struct ImageInfo {
        QString fileName;
        QString path;
        QString label;
        QString review; // latest human verdict's name, or empty
        std::optional<bool> truth; // ds::effectiveTruth
    };
    QHash<qint64, ImageInfo> images_; // the project's images, by id
    std::map<std::int64_t, ds::ReviewRecord> reviews_; // latest human verdict per image
    // A results row for one scored image, from images_.
    ResultsModel::Row resultRow(qint64 imageId, double score) const;
};

} // namespace ds::ui
