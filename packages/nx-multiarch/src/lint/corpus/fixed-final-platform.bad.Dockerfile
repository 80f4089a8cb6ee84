FROM --platform=linux/amd64 nginx:1.27-alpine
COPY dist/ /usr/share/nginx/html/
EXPOSE 80
