#pragma once
#include "core/detectors/Detector.h"
#include "core/storage/ProjectFile.h"

#include <QFuture>
#include <QMainWindow>
#include <QStringList>

#include <functional>
#include <memory>
#include <opencv2/core.hpp>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSortFilterProxyModel;
class QTimer;
class QTableView;
class QTreeWidget;
class QWidget;

namespace ds {
class JobContext;
}

namespace ds::ui {

class ImageLabel;
class ResultsModel;
class ThresholdPlots;

// What a finished job tells the window (built on the worker thread).
struct JobOutcome {
    enum class Status { Succeeded, Cancelled, Failed } status = Status::Succeeded;
    QString message;      // summary for the status bar, or the error
    QStringList skipped;  // "path: reason" of files the job skipped
    qint64 selectModelId = 0; // model to select afterwards (0: keep the selection)
};

// The main window: a project's models, the selected model's latest run as a ranked table,
// and the selected image with its heatmap. Long work runs as one job at a time on a
// worker thread, shown (and cancellable) in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    QString projectPath() const { return projectPath_; }
    bool isJobRunning() const { return jobRunning_; }

    // For tests and the screenshot option.
    QTreeWidget* modelsView() const { return modelsView_; }
    QTableView* resultsView() const { return resultsView_; }
    QSortFilterProxyModel* resultsProxy() const { return resultsProxy_; }
    ResultsModel* resultsModel() const { return resultsModel_; }
    QSlider* thresholdSlider() const { return thresholdSlider_; }
    QSlider* opacitySlider() const { return opacitySlider_; }
    ImageLabel* imageView() const { return imageView_; }
    ThresholdPlots* thresholdPlots() const { return thresholdPlots_; }
    QPushButton* resetThresholdButton() const { return resetThreshold_; }
    double currentThreshold() const;

public Q_SLOTS:
    // Opens (creating when missing) a project; false and a message when it fails.
    bool openProject(const QString& path);
    void closeProject();
    void importDataset(const QString& folder);     // MVTec layout
    void importGoodImages(const QString& folder);  // plain folder -> Train split
    void startTraining(const ds::DetectorSettings& settings, const QString& name = {});
    void scoreTestImages();                        // with the selected model
    void cancelJob();
    void selectModel(qint64 modelId);

Q_SIGNALS:
    void projectChanged(const QString& path);
    void jobStarted(const QString& title);
    void jobFinished(bool succeeded);

protected:
    void closeEvent(QCloseEvent* event) override;

private Q_SLOTS:
    void newProjectDialog();
    void openProjectDialog();
    void importDatasetDialog();
    void importGoodImagesDialog();
    void trainDialog();
    void about();
    void modelSelectionChanged();
    void resultSelectionChanged();
    void thresholdSliderMoved(int value);
    void plotThresholdChanged(double threshold);
    void resetThreshold();
    void renderCurrentImage();

private:
    void createActions();
    void createWidgets();
    void updateActions();
    void updateTitle();
    void refreshModels();
    void loadLatestRun(qint64 modelId);
    qint64 selectedModelId() const;
    void runJob(const QString& title, std::function<JobOutcome(ds::JobContext&)> work);
    void finishJob(const JobOutcome& outcome);
    void showMessage(bool error, const QString& title, const QString& text, const QString& details = {});
    double sliderToThreshold(int value) const;
    int thresholdToSlider(double threshold) const;
    // Applies a threshold to the verdicts, overlay, slider and plots.
    void applyThreshold(double threshold, bool updateSlider);
    // The user's threshold per model is kept in the project ("view/threshold/<modelId>"),
    // written shortly after the last change and before the run or project changes.
    void scheduleThresholdSave();
    void saveThresholdNow();

    QString projectPath_;
    std::unique_ptr<ds::ProjectFile> project_; // UI thread's own connection, for reading

    // Actions
    QAction* newAction_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* importDatasetAction_ = nullptr;
    QAction* importImagesAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* trainAction_ = nullptr;
    QAction* scoreAction_ = nullptr;

    // Views
    QTreeWidget* modelsView_ = nullptr;
    QTableView* resultsView_ = nullptr;
    ResultsModel* resultsModel_ = nullptr;
    QSortFilterProxyModel* resultsProxy_ = nullptr;
    QLabel* runLabel_ = nullptr;
    ImageLabel* imageView_ = nullptr;
    QLabel* imageInfo_ = nullptr;
    QSlider* thresholdSlider_ = nullptr;
    QLabel* thresholdValue_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QLabel* opacityValue_ = nullptr;
    QPushButton* resetThreshold_ = nullptr;
    ThresholdPlots* thresholdPlots_ = nullptr;
    QTimer* thresholdSaveTimer_ = nullptr;
    bool thresholdDirty_ = false;

    // Job panel
    QWidget* jobPanel_ = nullptr;
    QLabel* jobStage_ = nullptr;
    QProgressBar* jobProgress_ = nullptr;
    QPushButton* jobCancel_ = nullptr;
    std::shared_ptr<ds::JobContext> job_;
    QFuture<void> jobFuture_;
    bool jobRunning_ = false;

    // Current run and image
    qint64 runId_ = 0;
    qint64 runModelId_ = 0;   // model of the run shown
    double runThreshold_ = 0; // the run's own threshold (Reset)
    double scoreMin_ = 0.0;
    double scoreMax_ = 1.0;
    qint64 imageId_ = 0;
    cv::Mat image_;   // CV_32FC3 RGB of the selected result
    cv::Mat heatmap_; // its anomaly map (may be empty)
};

} // namespace ds::ui
