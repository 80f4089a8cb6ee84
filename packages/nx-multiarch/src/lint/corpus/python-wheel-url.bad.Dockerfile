FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
 && pip install --no-cache-dir https://files.example.com/wheels/fastcodec-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl
COPY . .
CMD ["python", "-m", "app"]
